using Dapper;
using Easel.Core.Accounts;

namespace Easel.Storage.Postgres;

/// <summary>
/// Scale-out mode's token buckets: one row per key in the shared database, so every node takes from the same bucket and
/// N nodes together give a key exactly its rate (a bucket per node would give it N times). A take is ONE statement:
/// the row is created full (less the token) or, under its row lock, refilled from its stored time and tokens and
/// debited in the same UPDATE; there is no read-then-write for two nodes to interleave.
/// </summary>
/// <remarks>
/// Time is the database's (<c>statement_timestamp()</c>), one clock for every node, so a node whose clock runs ahead
/// cannot mint tokens. A statement that waited on the row lock started before the one it waited for committed, so
/// its elapsed time can be negative: it counts as zero and the stored time never goes back, so no token is lost or
/// made twice. When the database cannot be reached the statement fails and so does the create (its insert needs the
/// same database): the client gets the dialect's 500, never a create let through unmetered.
/// </remarks>
public sealed class PostgresKeyRateLimiter(PostgresDatabase database) : IKeyRateLimiter
{
    // The bucket as it stands now: the stored tokens plus the refill since the stored time, at most the capacity.
    private const string Refilled =
        "LEAST(@Capacity::double precision, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM (statement_timestamp() - b.refilled_at))::double precision) * @PerSecond)";

    private const string Take =
        $"""
        INSERT INTO key_buckets AS b (key_id, tokens, refilled_at, granted)
        VALUES (@KeyId, @Capacity - 1, statement_timestamp(), true)
        ON CONFLICT (key_id) DO UPDATE SET
            tokens = CASE WHEN {Refilled} >= 1 THEN {Refilled} - 1 ELSE {Refilled} END,
            refilled_at = GREATEST(b.refilled_at, statement_timestamp()),
            granted = {Refilled} >= 1
        RETURNING granted, tokens
        """;

    // A row that has refilled to its key's burst reads exactly as no row (a take would create it full), and so does the
    // row of a key revoked, deleted or without a rate now: both go. A take racing the delete waits for its row lock
    // and then inserts a full bucket, which is what it would have found.
    private const string Sweep =
        """
        DELETE FROM key_buckets b
        WHERE NOT EXISTS (
            SELECT 1 FROM api_keys k
            WHERE k.id = b.key_id AND k.revoked_at IS NULL AND k.rate_per_minute > 0
              AND b.tokens + GREATEST(0, EXTRACT(EPOCH FROM (statement_timestamp() - b.refilled_at))::double precision) * k.rate_per_minute / 60.0
                  < GREATEST(1, COALESCE(k.burst, k.rate_per_minute)))
        """;

    /// <summary>Deletes the buckets that are full again or whose key has no rate any more; returns how many.</summary>
    public Task<int> SweepAsync(CancellationToken cancellationToken) =>
        database.RunAsync(c => c.ExecuteAsync(new CommandDefinition(Sweep, cancellationToken: cancellationToken)), cancellationToken);

    public async ValueTask<(bool Allowed, TimeSpan RetryAfter)> TryAcquireAsync(ApiKey key, CancellationToken cancellationToken)
    {
        if (KeyRate.Of(key) is not { } limit)
        {
            return (true, TimeSpan.Zero);
        }
        var (granted, tokens) = await database.RunAsync(c => c.QuerySingleAsync<(bool, double)>(
            new CommandDefinition(Take, new { KeyId = key.Id, limit.Capacity, limit.PerSecond }, cancellationToken: cancellationToken)),
            cancellationToken);
        return granted ? (true, TimeSpan.Zero) : (false, limit.RetryAfter(tokens));
    }
}
