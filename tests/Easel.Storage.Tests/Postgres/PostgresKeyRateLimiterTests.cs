using Easel.Core.Accounts;
using Easel.Storage.Postgres;
using Easel.Testing;
using Npgsql;

namespace Easel.Storage.Tests.Postgres;

/// <summary>
/// The shared token bucket's one statement, against a real PostgreSQL: concurrent takes on separate connections (as
/// separate nodes make them) never grant more than the bucket holds, and the refill comes from the stored time.
/// </summary>
[Collection(PostgresCluster.Collection)]
public sealed class PostgresKeyRateLimiterTests(PostgresCluster cluster) : IAsyncLifetime
{
    private PostgresDatabase _db = null!;
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await cluster.CreateDatabaseAsync();
        _db = new PostgresDatabase(_connectionString);
        await PostgresMigrations.ApplyAsync(_db, TimeProvider.System, default);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private static ApiKey Key(int? perMinute, int? burst) =>
        new($"key_{Guid.NewGuid():N}", "acct", "k", null, perMinute, burst, DateTimeOffset.UtcNow, null);

    [Fact]
    public async Task Forty_concurrent_takes_from_three_limiters_grant_exactly_the_burst()
    {
        // One token a minute: no refill worth a token happens while the test runs.
        var key = Key(perMinute: 1, burst: 10);
        var limiters = Enumerable.Range(0, 3).Select(_ => new PostgresKeyRateLimiter(_db)).ToArray();
        var takes = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => limiters[i % 3].TryAcquireAsync(key, default).AsTask()));

        Assert.Equal(10, takes.Count(t => t.Allowed));
        Assert.All(takes.Where(t => !t.Allowed), t => Assert.InRange(t.RetryAfter.TotalSeconds, 1, 60));
    }

    [Fact]
    public async Task The_refill_is_computed_from_the_stored_time_and_capped_at_the_burst()
    {
        var key = Key(perMinute: 60, burst: 10);
        var limiter = new PostgresKeyRateLimiter(_db);
        for (var i = 0; i < 10; i++)
        {
            Assert.True((await limiter.TryAcquireAsync(key, default)).Allowed);
        }
        var (allowed, retryAfter) = await limiter.TryAcquireAsync(key, default);
        Assert.False(allowed);
        Assert.InRange(retryAfter.TotalSeconds, 0.001, 1);

        // Five seconds ago, at one a second: five tokens (and the fraction of one the takes themselves last).
        await ShiftAsync(key, "5 seconds");
        var granted = 0;
        for (var i = 0; i < 8; i++)
        {
            granted += (await limiter.TryAcquireAsync(key, default)).Allowed ? 1 : 0;
        }
        Assert.Equal(5, granted);

        // An hour idle: the bucket holds its burst, not 3600.
        await ShiftAsync(key, "1 hour");
        granted = 0;
        for (var i = 0; i < 15; i++)
        {
            granted += (await limiter.TryAcquireAsync(key, default)).Allowed ? 1 : 0;
        }
        Assert.Equal(10, granted);
    }

    [Fact]
    public async Task A_key_without_a_rate_is_never_counted()
    {
        var key = Key(perMinute: null, burst: null);
        var limiter = new PostgresKeyRateLimiter(_db);
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await limiter.TryAcquireAsync(key, default)).Allowed);
        }
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM key_buckets", connection);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task The_sweep_deletes_exactly_the_buckets_that_are_full_again_or_whose_key_has_no_rate_now()
    {
        var accounts = new PostgresAccountStore(_db);
        async Task<ApiKey> StoredKeyAsync(int perMinute, int burst)
        {
            var key = Key(perMinute, burst) with { AccountId = $"acct_{Guid.NewGuid():N}" };
            var account = new Account(key.AccountId, "sweep", IsAdmin: false, DateTimeOffset.UtcNow, false, Account.DefaultGroup, "whsec_test", null);
            await accounts.CreateAsync(account, key, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), 0, default);
            return key;
        }
        var limiter = new PostgresKeyRateLimiter(_db);
        var busy = await StoredKeyAsync(perMinute: 60, burst: 10);       // used just now: 7 of 10 left
        var rested = await StoredKeyAsync(perMinute: 60, burst: 10);     // used a minute ago: full again
        var revoked = await StoredKeyAsync(perMinute: 60, burst: 10);    // used just now, then revoked
        var unknown = Key(perMinute: 60, burst: 10);                     // a key no longer in api_keys
        foreach (var key in new[] { busy, rested, revoked, unknown })
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.True((await limiter.TryAcquireAsync(key, default)).Allowed);
            }
        }
        await ShiftAsync(rested, "1 minute");
        Assert.NotNull(await accounts.RevokeKeyAsync(revoked.Id, DateTimeOffset.UtcNow, default));

        Assert.Equal(3, await limiter.SweepAsync(default));

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var left = new NpgsqlCommand("SELECT key_id FROM key_buckets", connection);
        Assert.Equal(busy.Id, (string)(await left.ExecuteScalarAsync())!);
        // The busy key keeps its count: 7 more, not 10.
        var granted = 0;
        for (var i = 0; i < 10; i++)
        {
            granted += (await limiter.TryAcquireAsync(busy, default)).Allowed ? 1 : 0;
        }
        Assert.Equal(7, granted);
        // A swept key starts from a full bucket, as it would have found it.
        granted = 0;
        for (var i = 0; i < 12; i++)
        {
            granted += (await limiter.TryAcquireAsync(rested, default)).Allowed ? 1 : 0;
        }
        Assert.Equal(10, granted);
    }

    private async Task ShiftAsync(ApiKey key, string interval)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var shift = new NpgsqlCommand($"UPDATE key_buckets SET refilled_at = refilled_at - interval '{interval}' WHERE key_id = @id", connection);
        shift.Parameters.AddWithValue("id", key.Id);
        Assert.Equal(1, await shift.ExecuteNonQueryAsync());
    }
}
