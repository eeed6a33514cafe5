using System.Collections.Concurrent;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;
using Npgsql;

namespace Easel.Server.Tests.ScaleOut;

/// <summary>Easel with Easel:Database:Provider=postgres, through HTTP: one node, and two nodes on one database.</summary>
[Collection(PostgresCluster.Collection)]
public sealed class PostgresServerTests(PostgresCluster cluster)
{
    [Fact]
    public async Task A_task_runs_end_to_end_in_both_dialects()
    {
        await using var images = await ImageServer.StartAsync();
        var database = await cluster.CreateDatabaseAsync();
        using var host = PostgresHosts.Node(database, "node-solo");
        var (accountId, client, _) = await host.CreateAccountAsync(new { name = "pg", credits = 100 });
        var url = images.Serve("/a.png", TestImages.PatternPng(64, 64));

        var (unifiedStatus, unified) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url));
        Assert.Equal(200, unifiedStatus);
        var (classicStatus, classic) = await client.PostJsonAsync("/model/v1/generation", Requests.ClassicUploadPaint(url));
        Assert.Equal(200, classicStatus);

        var (unifiedDone, progress) = await client.UnifiedDoneAsync(unified["id"]!.GetValue<string>());
        Assert.Equal("completed", unifiedDone["status"]!.GetValue<string>());
        Assert.Equal(100, progress[^1]);
        var (classicDone, _) = await client.ClassicDoneAsync(classic["id"]!.GetValue<string>());
        Assert.Equal("completed", classicDone["status"]!.GetValue<string>());

        Assert.Equal(128, TestImages.Decode(await client.DownloadAsync(unifiedDone["results"]![0]!.GetValue<string>())).Width);
        var classicUrl = classicDone["output"]![0]!["content"]![0]!["url"]!.GetValue<string>();
        Assert.Equal(128, TestImages.Decode(await client.DownloadAsync(classicUrl)).Width);
        Assert.Equal(100m - (2 * 8.1m), await host.BalanceMatchingLedgerAsync(accountId));
        // The tasks are in PostgreSQL, not in a SQLite file beside the blobs.
        Assert.Equal(2L, await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM tasks WHERE state = 2"));
        Assert.False(File.Exists(Path.Combine(host.DataDirectory, "easel.db")));
    }

    [Fact]
    public async Task Fifty_concurrent_creates_on_credits_for_three_accept_exactly_three()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = PostgresHosts.Node(await cluster.CreateDatabaseAsync(), "node-solo");
        var (accountId, client, _) = await host.CreateAccountAsync(new { name = "three", credits = 24.3 });
        var url = images.Serve("/a.png", TestImages.PatternPng(16, 16));
        var creates = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => i % 2 == 0
            ? client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url, canvas: 32))
            : client.PostJsonAsync("/model/v1/generation", Requests.ClassicUploadPaint(url, canvas: 32))));

        var accepted = creates.Where(c => c.Status == 200).ToList();
        Assert.Equal(3, accepted.Count);
        Assert.Equal(47, creates.Count(c => c.Status == 402));
        foreach (var (_, body) in accepted)
        {
            Assert.Equal("completed", (await client.UnifiedDoneAsync(body["id"]!.GetValue<string>())).Task["status"]!.GetValue<string>());
        }
        Assert.Equal(0m, await host.BalanceMatchingLedgerAsync(accountId));
        var ledger = await host.LedgerAsync(accountId);
        Assert.Equal(3, ledger.Count("reserve"));
        Assert.Equal(3, ledger.Count("charge"));
    }

    [Fact]
    public async Task Two_nodes_on_one_database_share_a_batch_and_run_each_task_once()
    {
        await using var images = await ImageServer.StartAsync();
        var png = TestImages.PatternPng(32, 32);
        // Each fetch holds a moment, so a batch outlasts one node's single worker and the other node must join in.
        var url = images.Handle("/held.png", async http =>
        {
            await Task.Delay(150);
            await http.Response.Body.WriteAsync(png);
        });
        var database = await cluster.CreateDatabaseAsync();
        using var nodeA = PostgresHosts.Node(database, "node-a", workers: 1);
        using var nodeB = PostgresHosts.Node(database, "node-b", nodeA.DataDirectory, workers: 1);
        nodeB.KeepData = true; // the shared directory is node A's to delete
        var (accountId, clientA, created) = await nodeA.CreateAccountAsync(new { name = "shared", credits = 1000 });
        using var clientB = nodeB.ClientWithKey(created["api_key"]!.GetValue<string>());
        Assert.Equal(200, (await clientB.GetJsonAsync("/v1/account")).Status); // node B is up and knows the account

        var holders = new ConcurrentDictionary<string, byte>();
        using var sampling = new CancellationTokenSource();
        var sampler = SampleLeaseHoldersAsync(database, holders, sampling.Token);
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var (status, body) = await clientA.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url, canvas: 32));
            Assert.Equal(200, status);
            ids.Add(body["id"]!.GetValue<string>());
        }
        foreach (var id in ids)
        {
            Assert.Equal("completed", (await clientB.UnifiedDoneAsync(id)).Task["status"]!.GetValue<string>());
        }
        await sampling.CancelAsync();
        await sampler;

        Assert.Equal(["node-a", "node-b"], holders.Keys.Order());
        // Each task claimed once, charged once; results written by either node are served by the other.
        Assert.Equal(1, await PostgresHosts.ScalarAsync<int>(database, "SELECT MAX(attempts) FROM tasks"));
        var ledger = await nodeA.LedgerAsync(accountId);
        Assert.All(ids, id =>
        {
            Assert.Equal(1, ledger.Count("reserve", id));
            Assert.Equal(1, ledger.Count("charge", id));
            Assert.Equal(0, ledger.Count("refund", id));
        });
        Assert.Equal(1000m - (12 * 8.1m), await nodeB.BalanceMatchingLedgerAsync(accountId));
        foreach (var id in ids)
        {
            var (_, task) = await clientA.GetJsonAsync($"/v1/tasks/{id}");
            Assert.Equal(32, TestImages.Decode(await clientA.DownloadAsync(task["results"]![0]!.GetValue<string>())).Width);
        }
    }

    [Fact]
    public async Task Nodes_starting_together_on_a_new_database_migrate_once_and_make_one_admin()
    {
        var database = await cluster.CreateDatabaseAsync();
        var shared = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));
        var nodes = Enumerable.Range(0, 3).Select(i => PostgresHosts.Node(database, $"node-{i}", shared)).ToList();
        try
        {
            nodes.Skip(1).ToList().ForEach(n => n.KeepData = true);
            var clients = await Task.WhenAll(nodes.Select(n => Task.Run(n.Admin)));
            foreach (var client in clients)
            {
                Assert.Equal(200, (await client.GetJsonAsync("/admin/accounts")).Status);
                client.Dispose();
            }
            Assert.Equal(1L, await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM accounts WHERE is_admin"));
            // Every step applied, each exactly once.
            Assert.Equal(Easel.Storage.Postgres.PostgresMigrations.LatestVersion, await PostgresHosts.ScalarAsync<int>(database, "SELECT MAX(version) FROM schema_migrations"));
            Assert.Equal((long)Easel.Storage.Postgres.PostgresMigrations.LatestVersion, await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM schema_migrations"));
        }
        finally
        {
            nodes.ForEach(n => n.Dispose());
        }
    }

    private static async Task SampleLeaseHoldersAsync(string database, ConcurrentDictionary<string, byte> holders, CancellationToken stop)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(CancellationToken.None);
        while (!stop.IsCancellationRequested)
        {
            await using (var command = new NpgsqlCommand("SELECT DISTINCT lease_node FROM tasks WHERE state = 1", connection))
            await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
            {
                while (await reader.ReadAsync(CancellationToken.None))
                {
                    holders.TryAdd(reader.GetString(0), 0);
                }
            }
            await Task.Delay(20, CancellationToken.None);
        }
    }
}
