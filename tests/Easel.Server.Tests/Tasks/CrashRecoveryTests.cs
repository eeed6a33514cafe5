using Easel.Testing;
using Easel.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Easel.Server.Tests.Tasks;

/// <summary>Killing the process (SIGKILL) while tasks run loses none: after a restart each completes, once.</summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Tasks_running_when_the_process_is_killed_complete_after_a_restart()
    {
        await using var images = await ImageServer.StartAsync();
        var url = images.Serve("/a.png", TestImages.PatternPng(128, 128));
        var data = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));
        try
        {
            List<string> ids;
            using (var first = await ServerProcess.StartAsync(data, EaselHost.AdminKey, new Dictionary<string, string> { ["Easel__Workers"] = "2" }))
            {
                ids = await CrashScenario.SubmitAndKillAsync(first, url, output);
            }

            var beforeRestart = await Database.ScalarAsync<int>(data, "SELECT COUNT(*) FROM tasks WHERE state = 1");
            Assert.True(beforeRestart >= 1, "the kill must have caught at least one task processing");

            using var second = await ServerProcess.StartAsync(data, EaselHost.AdminKey);
            await CrashScenario.AssertEachCompletesAsync(second, ids);
            // Re-run after the crash (attempt 2) but recorded once: exactly four result keys per task, all distinct.
            Assert.True(await Database.ScalarAsync<int>(data, "SELECT COUNT(*) FROM tasks WHERE attempts >= 2") >= 1);
            Assert.Equal(16, await Database.ScalarAsync<int>(data, "SELECT COUNT(DISTINCT value) FROM tasks, json_each(tasks.result_keys)"));
            // Settled once each (a charge, in the transaction of the completion), and the balance is its ledger.
            Assert.Equal(4, await Database.ScalarAsync<int>(data, "SELECT COUNT(*) FROM ledger WHERE kind = 1"));
            Assert.Equal(0, await Database.ScalarAsync<int>(data, "SELECT COUNT(*) FROM (SELECT task_id FROM ledger WHERE kind IN (1, 2) GROUP BY task_id HAVING COUNT(*) > 1)"));
            Assert.Equal(0, await Database.ScalarAsync<int>(data, "SELECT COUNT(*) FROM accounts a WHERE a.balance_micros != (SELECT COALESCE(SUM(amount_micros), 0) FROM ledger l WHERE l.account_id = a.id)"));
            output.WriteLine(second.Output);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }
}
