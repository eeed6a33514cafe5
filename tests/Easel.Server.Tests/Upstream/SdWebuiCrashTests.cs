using Easel.Server.Tests.Infrastructure;
using Easel.Server.Tests.Upstream.Fakes;
using Easel.Testing;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// The documented limit of a synchronous upstream: its call lives in the process that made it. SIGKILL of that
/// process while the call runs leaves a task whose answer nobody can receive; the next process fails it as lost and
/// refunds it, and never calls the upstream a second time.
/// </summary>
public sealed class SdWebuiCrashTests
{
    [Fact]
    public async Task Killed_while_the_call_runs_the_task_fails_as_lost_and_is_refunded_without_a_second_call()
    {
        await using var fake = await FakeSdWebui.StartAsync();
        fake.Behaviour = SdWebuiBehaviour.Slow;
        var settings = new Dictionary<string, string>
        {
            ["Easel__Engines__sd__Type"] = "sd-webui",
            ["Easel__Engines__sd__BaseUrl"] = fake.BaseUrl,
            ["Easel__Engines__sd__ApiKey"] = FakeSdWebui.ApiKey,
            ["Easel__Engines__sd__PollInterval"] = "00:00:00.100",
            ["Easel__Engines__sd__Options__Width"] = "64",
            ["Easel__Engines__sd__Options__Height"] = "64",
            ["Easel__Tasks__LeaseDuration"] = "00:00:03",
        };
        var data = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));
        try
        {
            string key, id;
            using (var first = await ServerProcess.StartAsync(data, EaselHost.AdminKey, settings))
            {
                using var admin = first.Client();
                var (_, account) = await admin.PostJsonAsync("/admin/accounts", new { name = "client", credits = 100m });
                key = account["api_key"]!.GetValue<string>();
                using var client = first.Client(key);
                var (status, created) = await client.PostJsonAsync("/v1/images/generations", """{"model": "mj-v7", "prompt": "a lighthouse in fog"}""");
                Assert.True(status == 200, created.ToJsonString());
                id = created["id"]!.GetValue<string>();
                await WaitForAsync(async () => await Database.ScalarAsync<long>(data, "SELECT COUNT(*) FROM tasks WHERE upstream_id IS NOT NULL") == 1);
                first.Kill();
            }

            using var second = await ServerProcess.StartAsync(data, EaselHost.AdminKey, settings);
            using var reader = second.Client(key);
            var (task, _) = await reader.UnifiedDoneAsync(id, TimeSpan.FromSeconds(60));

            Assert.True(task["error"]!["code"]!.GetValue<string>() == "service_error", task.ToJsonString());
            Assert.Contains("died with the process", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Single(fake.Calls);
            Assert.Equal(0L, await Database.ScalarAsync<long>(data, "SELECT COUNT(*) FROM ledger WHERE kind = 1"));
            Assert.Equal(0L, await Database.ScalarAsync<long>(data, "SELECT COUNT(*) FROM accounts a WHERE a.balance_micros != (SELECT COALESCE(SUM(amount_micros), 0) FROM ledger l WHERE l.account_id = a.id)"));
            Assert.Equal(1L, await Database.ScalarAsync<long>(data, $"SELECT COUNT(*) FROM ledger WHERE kind = 2 AND task_id = '{id}'"));
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

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Delay(20);
        }
    }
}
