using Easel.Server.Tests.Infrastructure;
using Easel.Server.Tests.Observability;
using Easel.Server.Tests.ScaleOut;
using Easel.Testing;
using Npgsql;

namespace Easel.Server.Tests.Retention;

/// <summary>
/// Retention in scale-out mode: two nodes on one PostgreSQL database both run the sweeper, but a sweep needs the
/// advisory lock, so while something else holds it neither node deletes anything; once it is free, one sweep releases
/// exactly the old tasks' unheld files, counted once across the fleet.
/// </summary>
[Collection(PostgresCluster.Collection)]
public sealed class PostgresRetentionTests(PostgresCluster cluster)
{
    // PostgresTaskFileStore.SweeperLock.
    private const long SweeperLock = 0x45_61_73_65_6C_00_00_03;

    [Fact]
    public async Task Two_nodes_sweep_one_at_a_time_and_remove_exactly_the_old_tasks_files()
    {
        var database = await cluster.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Easel:Engine"] = "passthrough",
            ["Easel:Retention:Days"] = "7",
            ["Easel:Retention:Interval"] = "00:00:00.200",
        };
        using var nodeA = Node(database, "node-a", null, settings);
        using var nodeB = Node(database, "node-b", nodeA.DataDirectory, settings);
        nodeB.KeepData = true; // the shared directory is node A's to delete
        var (accountId, clientA, created) = await nodeA.CreateAccountAsync(new { name = "fleet", credits = 1000 });
        using var clientB = nodeB.ClientWithKey(created["api_key"]!.GetValue<string>());
        var scenario = await TaskFileScenario.BuildAsync(clientA);
        var files = TaskFileScenario.BlobFileCount(nodeA.DataDirectory);

        await using (var holder = new NpgsqlConnection(database))
        {
            await holder.OpenAsync();
            await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({SweeperLock})", holder))
            {
                await take.ExecuteNonQueryAsync();
            }
            await using (var age = new NpgsqlCommand($"UPDATE tasks SET finished_at = finished_at - interval '8 days' WHERE id IN ('{scenario.A}', '{scenario.B}')", holder))
            {
                Assert.Equal(2, await age.ExecuteNonQueryAsync());
            }
            // Ten intervals of each node's sweeper: every one finds the turn taken.
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Equal(0L, await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM tasks WHERE files_deleted_at IS NOT NULL"));
            Assert.Equal(files, TaskFileScenario.BlobFileCount(nodeA.DataDirectory));
        }

        await RetentionTests.WaitUntilAsync(async () => await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM tasks WHERE files_deleted_at IS NOT NULL") == 2);
        await RetentionTests.WaitUntilAsync(async () => await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM blob_deletions") == 0);
        // Read through the other node (it never cached these tasks): the store says what the views show.
        await scenario.AssertAAndBReleasedAsync(clientB);
        Assert.Equal(files - 7, TaskFileScenario.BlobFileCount(nodeA.DataDirectory));
        Assert.Equal(2, (await nodeA.LedgerAsync(accountId)).Count("reserve", scenario.A) + (await nodeA.LedgerAsync(accountId)).Count("charge", scenario.A));

        using var scrapeA = nodeA.CreateClient();
        using var scrapeB = nodeB.CreateClient();
        var a = await MetricsTests.ScrapeAsync(scrapeA);
        var b = await MetricsTests.ScrapeAsync(scrapeB);
        Assert.Equal(2, a.Value("easel_files_tasks_released_total", ("trigger", "retention")) + b.Value("easel_files_tasks_released_total", ("trigger", "retention")));
        Assert.Equal(7, a.Value("easel_files_blobs_deleted_total", ("trigger", "retention")) + b.Value("easel_files_blobs_deleted_total", ("trigger", "retention")));
    }

    private static EaselHost Node(string database, string nodeId, string? dataDirectory, Dictionary<string, string?> settings)
    {
        var all = new Dictionary<string, string?>(settings)
        {
            ["Easel:Database:Provider"] = "postgres",
            ["Easel:Database:ConnectionString"] = database,
            ["Easel:NodeId"] = nodeId,
        };
        return new EaselHost(all, dataDirectory);
    }
}
