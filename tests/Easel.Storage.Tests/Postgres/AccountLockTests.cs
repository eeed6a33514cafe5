using System.Security.Cryptography;
using Easel.Core.Accounts;
using Easel.Core.Operations;
using Easel.Core.Tasks;
using Easel.Storage.Postgres;
using Easel.Testing;
using Npgsql;

namespace Easel.Storage.Tests.Postgres;

/// <summary>
/// The figure condition of the money path: a reservation must not serialise the whole server. In PostgreSQL a
/// create locks its own account's row and nothing shared, so one account held busy delays only that account.
/// </summary>
[Collection(PostgresCluster.Collection)]
public sealed class AccountLockTests(PostgresCluster cluster) : IAsyncLifetime
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(2);
    private PostgresDatabase _db = null!;
    private PostgresTaskStore _tasks = null!;
    private PostgresAccountStore _accounts = null!;
    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _connectionString = await cluster.CreateDatabaseAsync();
        _db = new PostgresDatabase(_connectionString);
        await PostgresMigrations.ApplyAsync(_db, TimeProvider.System, default);
        _tasks = new PostgresTaskStore(_db);
        _accounts = new PostgresAccountStore(_db);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_transaction_holding_one_accounts_row_delays_creates_of_that_account_only()
    {
        var a = await NewAccountAsync();
        var b = await NewAccountAsync();

        // Another session holds A's row, as a long create or settlement of A would.
        await using var holder = new NpgsqlConnection(_connectionString);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockA = new NpgsqlCommand("SELECT id FROM accounts WHERE id = @a FOR UPDATE", holder, hold))
        {
            lockA.Parameters.AddWithValue("a", a);
            Assert.Equal(a, await lockA.ExecuteScalarAsync());
        }

        var createA = Task.Run(() => InsertAsync(a));
        // B goes through at once, while A is held: its create touches no row that A's lock covers.
        var createdB = await Task.Run(() => InsertAsync(b)).WaitAsync(Quick);
        Assert.Equal(InsertStatus.Inserted, createdB.Status);
        var claimed = await _tasks.ClaimNextAsync("node-a", DateTimeOffset.UtcNow, TimeSpan.FromSeconds(30), default);
        Assert.Equal(b, claimed!.Task.AccountId);
        Assert.True(await _tasks.CompleteAsync(claimed.Lease, ["k"], DateTimeOffset.UtcNow, default));

        // A's create is still waiting on A's row, however long B's work took.
        var first = await Task.WhenAny(createA, Task.Delay(Quick));
        Assert.NotSame(createA, first);

        await hold.RollbackAsync();
        Assert.Equal(InsertStatus.Inserted, (await createA.WaitAsync(Quick)).Status);
    }

    [Fact]
    public async Task Creates_of_many_accounts_do_not_queue_behind_one_busy_account()
    {
        var busy = await NewAccountAsync();
        var others = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            others.Add(await NewAccountAsync());
        }
        await using var holder = new NpgsqlConnection(_connectionString);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockBusy = new NpgsqlCommand("SELECT id FROM accounts WHERE id = @a FOR UPDATE", holder, hold))
        {
            lockBusy.Parameters.AddWithValue("a", busy);
            await lockBusy.ExecuteScalarAsync();
        }
        var waiting = Enumerable.Range(0, 5).Select(_ => Task.Run(() => InsertAsync(busy))).ToList();

        var results = await Task.WhenAll(others.Select(o => Task.Run(() => InsertAsync(o)))).WaitAsync(Quick);
        Assert.All(results, r => Assert.Equal(InsertStatus.Inserted, r.Status));
        Assert.All(waiting, w => Assert.False(w.IsCompleted));

        await hold.CommitAsync();
        Assert.All(await Task.WhenAll(waiting).WaitAsync(Quick), r => Assert.Equal(InsertStatus.Inserted, r.Status));
    }

    [Fact]
    public async Task Creates_queued_on_an_accounts_row_count_each_other_once_it_is_free_so_the_active_cap_holds()
    {
        // Ten creates wait on a held row, then run one after another: each must count the tasks of those before it.
        // A create that read the count before it had the row (a snapshot older than the lock) would let all ten in.
        var account = await NewAccountAsync();
        await using var holder = new NpgsqlConnection(_connectionString);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockAccount = new NpgsqlCommand("SELECT id FROM accounts WHERE id = @a FOR UPDATE", holder, hold))
        {
            lockAccount.Parameters.AddWithValue("a", account);
            await lockAccount.ExecuteScalarAsync();
        }
        var waiting = Enumerable.Range(0, 10).Select(_ => Task.Run(() => InsertAsync(account, maxActive: 3))).ToList();
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // all ten reach the lock
        Assert.All(waiting, w => Assert.False(w.IsCompleted));

        await hold.CommitAsync();
        var results = await Task.WhenAll(waiting).WaitAsync(Quick);
        Assert.Equal(3, results.Count(r => r.Status == InsertStatus.Inserted));
        Assert.Equal(7, results.Count(r => r.Status == InsertStatus.TooManyActive));
    }

    private Task<InsertResult> InsertAsync(string accountId, int maxActive = 100) => _tasks.InsertAsync(new TaskRecord(
            TaskIds.New(Dialect.Unified, DateTimeOffset.UtcNow), accountId, Dialect.Unified,
            new UploadPaint("lock", Speed.Fast, new ExternalImage("http://127.0.0.1:9/a.png"), new CanvasSize(128, 128),
                new Placement(64, 64, 32, 32), new PolygonMask([new MaskArea(100, 100, [30, 30, 30, 45, 45, 45, 45, 30])])),
            TaskState.Pending, 0, DateTimeOffset.UtcNow, null, null, 8_100_000, null, [], null, 0),
        new TaskAdmission(maxActive, null), DateTimeOffset.UtcNow, default);

    private async Task<string> NewAccountAsync()
    {
        var id = "acct_" + Guid.NewGuid().ToString("N");
        await _accounts.CreateAsync(new Account(id, "lock", false, DateTimeOffset.UtcNow, WebhookSecret: "whsec_test"),
            new ApiKey("key_" + Guid.NewGuid().ToString("N"), id, "default", null, null, null, DateTimeOffset.UtcNow, null),
            RandomNumberGenerator.GetBytes(32), 1_000_000_000, default);
        return id;
    }
}
