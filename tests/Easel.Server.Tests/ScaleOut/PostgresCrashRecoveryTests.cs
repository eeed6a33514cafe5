using Easel.Server.Tests.Infrastructure;
using Easel.Server.Tests.Tasks;
using Easel.Testing;
using Xunit.Abstractions;

namespace Easel.Server.Tests.ScaleOut;

/// <summary>
/// Killing a PostgreSQL-mode process (SIGKILL) while tasks run loses none: the node restarts under its name, takes
/// back the tasks leased under it, and each completes and is charged once. The SQLite twin is CrashRecoveryTests.
/// </summary>
[Collection(PostgresCluster.Collection)]
public sealed class PostgresCrashRecoveryTests(PostgresCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task Tasks_running_when_a_postgres_node_is_killed_complete_after_it_restarts()
    {
        await using var images = await ImageServer.StartAsync();
        var url = images.Serve("/a.png", TestImages.PatternPng(128, 128));
        var database = await cluster.CreateDatabaseAsync();
        var data = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string>
        {
            ["Easel__Database__Provider"] = "postgres",
            ["Easel__Database__ConnectionString"] = database,
            ["Easel__NodeId"] = "node-crash",
            ["Easel__Workers"] = "2",
        };
        try
        {
            List<string> ids;
            using (var first = await ServerProcess.StartAsync(data, EaselHost.AdminKey, settings))
            {
                ids = await CrashScenario.SubmitAndKillAsync(first, url, output);
            }

            Assert.True(await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM tasks WHERE state = 1 AND lease_node = 'node-crash'") >= 1,
                "the kill must have caught at least one task processing under the node's lease");

            using var second = await ServerProcess.StartAsync(data, EaselHost.AdminKey, settings);
            await CrashScenario.AssertEachCompletesAsync(second, ids);
            // Re-run after the crash (attempt 2) but recorded once: four distinct result keys per task.
            Assert.True(await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM tasks WHERE attempts >= 2") >= 1);
            Assert.Equal(16L, await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(DISTINCT k) FROM tasks, jsonb_array_elements_text(tasks.result_keys) AS k"));
            // Settled once each, and every balance is its ledger.
            Assert.Equal(4L, await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM ledger WHERE kind = 1"));
            Assert.Equal(0L, await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM (SELECT task_id FROM ledger WHERE kind IN (1, 2) GROUP BY task_id HAVING COUNT(*) > 1) AS twice"));
            Assert.Equal(0L, await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM accounts a WHERE a.balance_micros != (SELECT COALESCE(SUM(amount_micros), 0) FROM ledger l WHERE l.account_id = a.id)"));
            output.WriteLine(second.Output);
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }
}
