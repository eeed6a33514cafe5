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
        var ids = new List<string>();
        try
        {
            using (var first = await ServerProcess.StartAsync(data, EaselHost.AdminKey, new Dictionary<string, string> { ["Easel__Workers"] = "2" }))
            using (var client = first.Client())
            {
                // Large holes keep the fill busy for a while: the kill lands while work is in flight.
                for (var i = 0; i < 4; i++)
                {
                    var (status, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url, canvas: 1024));
                    Assert.Equal(200, status);
                    ids.Add(created["id"]!.GetValue<string>());
                }
                await WaitForProcessingAsync(client, ids[0]);
                first.Kill();
                output.WriteLine(first.Output);
            }

            var beforeRestart = await Database.ScalarAsync<int>(data, "SELECT COUNT(*) FROM tasks WHERE state = 1");
            Assert.True(beforeRestart >= 1, "the kill must have caught at least one task processing");

            using var second = await ServerProcess.StartAsync(data, EaselHost.AdminKey);
            using var again = second.Client();
            foreach (var id in ids)
            {
                var (task, _) = await again.UnifiedDoneAsync(id, TimeSpan.FromSeconds(180));
                Assert.Equal("completed", task["status"]!.GetValue<string>());
                Assert.Equal(4, task["results"]!.AsArray().Count);
                foreach (var result in task["results"]!.AsArray())
                {
                    using var response = await again.GetAsync(new Uri(result!.GetValue<string>()).PathAndQuery);
                    Assert.True(response.IsSuccessStatusCode);
                }
            }
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

    internal static async Task WaitForProcessingAsync(HttpClient client, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var (_, task) = await client.GetJsonAsync($"/v1/tasks/{id}");
            if (task["status"]!.GetValue<string>() == "processing" && task["progress"]!.GetValue<int>() >= 15)
            {
                return;
            }
            Assert.Equal("pending", task["status"]!.GetValue<string>() is "processing" ? "pending" : task["status"]!.GetValue<string>());
            await Task.Delay(20);
        }
        throw new TimeoutException("the task never started processing");
    }
}
