using Easel.Core.Accounts;
using Easel.Core.Operations;
using Easel.Core.Pricing;
using Easel.Core.Tasks;
using Easel.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Easel.Server.Tests.Tasks;

/// <summary>
/// A terminal state is stamped when its transaction runs, not when its request started: a transition that waited
/// for the writer (here: asked with a time an hour old) still records the moment it was stored.
/// </summary>
public sealed class TerminalStampTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Completion_failure_and_cancel_are_stamped_when_they_are_stored()
    {
        Directory.CreateDirectory(_directory);
        using var db = new SqliteDatabase(Path.Combine(_directory, "easel.db"));
        await SqliteMigrations.ApplyAsync(db, TimeProvider.System, CancellationToken.None);
        var accounts = new SqliteAccountStore(db);
        var tasks = new SqliteTaskStore(db);
        var account = new Account("acct_stamp", "stamp", IsAdmin: false, DateTimeOffset.UtcNow, Unlimited: true);
        await accounts.CreateAsync(account, new ApiKey("key_stamp", account.Id, "k", null, null, null, DateTimeOffset.UtcNow, null),
            ApiKeys.Hash("secret-stamp"), Credits.FromCredits(0), CancellationToken.None);

        var stale = DateTimeOffset.UtcNow.AddHours(-1);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var task = new TaskRecord(TaskIds.New(Dialect.Unified, stale), account.Id, Dialect.Unified,
                new Remix("p", Speed.Fast, new SourceImage("task-x", 0), RemixMode.Strong), TaskState.Pending, 0, stale, null, null, 8_100_000, null, [], null, 0);
            Assert.Equal(InsertStatus.Inserted, (await tasks.InsertAsync(task, new TaskAdmission(100, null), stale, CancellationToken.None)).Status);
            ids.Add(task.Id);
        }

        var before = DateTimeOffset.UtcNow.AddMilliseconds(-1);
        var first = (await tasks.ClaimNextAsync("node", stale, TimeSpan.FromHours(2), CancellationToken.None))!;
        Assert.True(await tasks.CompleteAsync(first.Lease, ["a", "b", "c", "d"], stale, CancellationToken.None));
        var second = (await tasks.ClaimNextAsync("node", stale, TimeSpan.FromHours(2), CancellationToken.None))!;
        Assert.True(await tasks.FailAsync(second.Lease, new TaskFailure(FailureKind.ImageProcessing, "x"), stale, CancellationToken.None));
        var third = ids.Single(id => id != first.Lease.TaskId && id != second.Lease.TaskId);
        Assert.NotNull(await tasks.CancelAsync(third, account.Id, stale, CancellationToken.None));

        foreach (var id in ids)
        {
            var stored = (await tasks.GetAsync(id, CancellationToken.None))!;
            Assert.True(stored.FinishedAt >= before, $"{id} ({stored.State}) was stamped {stored.FinishedAt:O}, before its transaction ran ({before:O})");
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
