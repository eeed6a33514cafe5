using Easel.Core.Accounts;
using Easel.Core.Operations;
using Easel.Core.Pricing;
using Easel.Core.Tasks;
using Easel.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Easel.Server.Tests.Money;

/// <summary>
/// Any interleaving of creates, cancels, completions, failures, top-ups and adjustments, some of them at the
/// same moment, keeps every account's balance equal to the sum of its ledger and never below zero, and
/// settles every finished task exactly once. Run on the real SQLite stores.
/// </summary>
public sealed class LedgerPropertyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task Balances_equal_their_ledgers_whatever_the_interleaving(int seed)
    {
        var directory = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            using var db = new SqliteDatabase(Path.Combine(directory, "easel.db"));
            await SqliteMigrations.ApplyAsync(db, TimeProvider.System, CancellationToken.None);
            var accounts = new SqliteAccountStore(db);
            var tasks = new SqliteTaskStore(db);
            var random = new Random(seed);
            var ids = new List<string>();
            for (var a = 0; a < 3; a++)
            {
                var account = new Account($"acct_{a}", $"a{a}", IsAdmin: false, DateTimeOffset.UtcNow, Unlimited: a == 2);
                await accounts.CreateAsync(account, new ApiKey($"key_{a}", account.Id, "k", null, null, null, DateTimeOffset.UtcNow, null),
                    ApiKeys.Hash($"secret-{a}-{seed}"), Credits.FromCredits(random.Next(0, 40)), CancellationToken.None);
                ids.Add(account.Id);
            }
            var created = new List<TaskRecord>();

            for (var round = 0; round < 40; round++)
            {
                // A batch of steps started together: they race on the same accounts and tasks.
                var batch = Enumerable.Range(0, random.Next(1, 6)).Select(_ => Step(random.Next(7), ids[random.Next(ids.Count)], random.Next())).ToList();
                await Task.WhenAll(batch);
                await AssertInvariantsAsync(directory, accounts, ids);
            }

            async Task Step(int kind, string accountId, int pick)
            {
                var now = DateTimeOffset.UtcNow;
                switch (kind)
                {
                    case 0:
                    case 1:
                    {
                        var speed = pick % 3 == 0 ? Speed.Turbo : Speed.Fast;
                        var operation = new Remix("p", speed, new SourceImage("task-x", 0), RemixMode.Strong);
                        var price = speed == Speed.Turbo ? 16_200_000 : 8_100_000;
                        var task = new TaskRecord(TaskIds.New(Dialect.Unified, now), accountId, Dialect.Unified, operation, TaskState.Pending, 0,
                            now, null, null, price, null, [], null, 0);
                        var result = await tasks.InsertAsync(task, new TaskAdmission(1000, null), now, CancellationToken.None);
                        if (result.Status == InsertStatus.Inserted)
                        {
                            lock (created)
                            {
                                created.Add(task);
                            }
                        }
                        break;
                    }
                    case 2:
                    {
                        var claim = await tasks.ClaimNextAsync("node", now, TimeSpan.FromMinutes(1), CancellationToken.None);
                        if (claim is not null)
                        {
                            await tasks.CompleteAsync(claim.Lease, ["a", "b", "c", "d"], now, CancellationToken.None);
                        }
                        break;
                    }
                    case 3:
                    {
                        var claim = await tasks.ClaimNextAsync("node", now, TimeSpan.FromMinutes(1), CancellationToken.None);
                        if (claim is not null)
                        {
                            var failure = pick % 4 == 0 ? FailureKind.ContentPolicy : FailureKind.ImageProcessing;
                            await tasks.FailAsync(claim.Lease, new TaskFailure(failure, "x"), now, CancellationToken.None);
                        }
                        break;
                    }
                    case 4:
                    {
                        TaskRecord? victim;
                        lock (created)
                        {
                            victim = created.Count == 0 ? null : created[pick % created.Count];
                        }
                        if (victim is not null)
                        {
                            await tasks.CancelAsync(victim.Id, victim.AccountId, now, CancellationToken.None);
                        }
                        break;
                    }
                    case 5:
                        await accounts.AdjustBalanceAsync(accountId, Credits.FromCredits(pick % 20), LedgerKind.TopUp, "top-up", now, CancellationToken.None);
                        break;
                    default:
                        await accounts.AdjustBalanceAsync(accountId, -Credits.FromCredits(pick % 30), LedgerKind.Adjust, "adjust", now, CancellationToken.None);
                        break;
                }
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task AssertInvariantsAsync(string directory, SqliteAccountStore accounts, List<string> ids)
    {
        foreach (var id in ids)
        {
            var summary = (await accounts.GetAsync(id, CancellationToken.None))!;
            var ledger = await accounts.LedgerAsync(id, null, 100_000, CancellationToken.None);
            Assert.Equal(summary.BalanceMicros, ledger.Sum(e => e.AmountMicros));
            if (!summary.Account.Unlimited)
            {
                Assert.True(summary.BalanceMicros >= 0, $"{id} went below zero: {summary.BalanceMicros}");
            }
        }
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "easel.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        // Every finished task has exactly one settlement; no unfinished one has any; every task one reservation.
        command.CommandText = """
            SELECT COUNT(*) FROM tasks t WHERE
              (SELECT COUNT(*) FROM ledger l WHERE l.task_id = t.id AND l.kind = 0) != 1
              OR (SELECT COUNT(*) FROM ledger l WHERE l.task_id = t.id AND l.kind IN (1, 2)) != (CASE WHEN t.state IN (2, 3, 4) THEN 1 ELSE 0 END)
            """;
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
    }
}
