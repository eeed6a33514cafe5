using Easel.Server.Tests.Infrastructure;
using Easel.Server.Tests.ScaleOut;
using Easel.Testing.UpstreamFakes;
using Easel.Testing;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// Two PostgreSQL nodes wait on one upstream's jobs; one is killed (SIGKILL) while its jobs wait. The other takes them
/// over when their leases expire and finishes each: no job is submitted twice, and each task is charged once.
/// </summary>
[Collection(PostgresCluster.Collection)]
public sealed class UpstreamScaleOutTests(PostgresCluster cluster)
{
    [Fact]
    public async Task The_survivor_finishes_a_killed_nodes_upstream_jobs_after_their_leases_expire()
    {
        await using var fake = await FakeGateway.StartAsync();
        fake.WorkTime = TimeSpan.FromSeconds(8);
        var database = await cluster.CreateDatabaseAsync();
        var directories = new List<string>();
        Dictionary<string, string> Node(string id)
        {
            return new Dictionary<string, string>
            {
                ["Easel__Database__Provider"] = "postgres",
                ["Easel__Database__ConnectionString"] = database,
                ["Easel__NodeId"] = id,
                ["Easel__Tasks__LeaseDuration"] = "00:00:03",
                ["Easel__Engines__gateway__Type"] = "unified",
                ["Easel__Engines__gateway__BaseUrl"] = fake.BaseUrl,
                ["Easel__Engines__gateway__ApiKey"] = FakeGateway.Key,
                ["Easel__Engines__gateway__PollInterval"] = "00:00:00.200",
                ["Easel__Engines__gateway__UseUpstreamEstimate"] = "false",
            };
        }
        string Directory_()
        {
            var directory = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));
            directories.Add(directory);
            return directory;
        }
        try
        {
            using var doomed = await ServerProcess.StartAsync(Directory_(), EaselHost.AdminKey, Node("node-doomed"));
            using var survivor = await ServerProcess.StartAsync(Directory_(), EaselHost.AdminKey, Node("node-survivor"));
            using var admin = doomed.Client();
            var (_, account) = await admin.PostJsonAsync("/admin/accounts", new { name = "client", credits = 1000m });
            var key = account["api_key"]!.GetValue<string>();
            using var client = doomed.Client(key);
            var ids = new List<string>();
            for (var i = 0; i < 6; i++)
            {
                var (status, created) = await client.PostJsonAsync("/v1/images/generations", $$"""{"model": "mj-v7", "prompt": "lighthouse {{i}}"}""");
                Assert.True(status == 200, created.ToJsonString());
                ids.Add(created["id"]!.GetValue<string>());
            }
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM tasks WHERE upstream_id IS NOT NULL") < 6)
            {
                Assert.True(DateTime.UtcNow < deadline, "the six tasks were not all accepted upstream");
                await Task.Delay(50);
            }
            var held = await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM tasks WHERE lease_node = 'node-doomed' AND state = 1");
            Assert.True(held >= 1, "the doomed node must hold some of the waiting jobs");

            doomed.Kill();

            using var reader = survivor.Client(key);
            foreach (var id in ids)
            {
                var (task, _) = await reader.UnifiedDoneAsync(id, TimeSpan.FromSeconds(60));
                Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
            }
            Assert.Equal(6, fake.Jobs.Count);
            Assert.All(fake.SubmissionsByKey.Values, n => Assert.Equal(1, n));
            Assert.Equal(6L, await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM ledger WHERE kind = 1"));
            Assert.Equal(0L, await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM (SELECT task_id FROM ledger WHERE kind IN (1, 2) GROUP BY task_id HAVING COUNT(*) > 1) AS twice"));
            Assert.Equal(held, await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM tasks WHERE attempts >= 2"));
        }
        finally
        {
            foreach (var directory in directories.Where(Directory.Exists))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
