using Easel.Server.Tests.Infrastructure;
using Easel.Testing.UpstreamFakes;
using Easel.Testing;
using Xunit.Abstractions;

using static Easel.Server.Tests.Upstream.UpstreamFront;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// SIGKILL of the Easel process around an upstream submission (API.md section 10, durable upstream jobs): before the
/// upstream's answer was stored the job is found again by its key, after it the job is polled again; either way the
/// upstream makes one job, and the task completes and is charged once. A protocol that cannot be asked again fails the
/// task as unknown and refunds it, without a second submission. And two PostgreSQL nodes: the survivor finishes the
/// dead node's jobs once their leases expire.
/// </summary>
public sealed class UpstreamCrashTests(ITestOutputHelper output)
{

    private static Dictionary<string, string> Settings(FakeGateway fake, string protocol = "unified", IDictionary<string, string>? more = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Easel__Engines__gateway__Type"] = protocol,
            ["Easel__Engines__gateway__BaseUrl"] = fake.BaseUrl,
            ["Easel__Engines__gateway__ApiKey"] = FakeGateway.Key,
            ["Easel__Engines__gateway__PollInterval"] = "00:00:00.100",
            ["Easel__Engines__gateway__UseUpstreamEstimate"] = "false",
            ["Easel__Tasks__LeaseDuration"] = "00:00:03",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        return settings;
    }

    /// <summary>An account and its imagine task; the account's key, to read the task after the restart.</summary>
    private static async Task<(string Key, string TaskId)> SubmitAsync(ServerProcess server)
    {
        using var admin = server.Client();
        var (_, account) = await admin.PostJsonAsync("/admin/accounts", new { name = "client", credits = 100m });
        var key = account["api_key"]!.GetValue<string>();
        using var client = server.Client(key);
        var (status, created) = await client.PostJsonAsync("/v1/images/generations", Imagine);
        Assert.True(status == 200, created.ToJsonString());
        return (key, created["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Killed_after_the_upstream_accepted_and_before_its_answer_was_stored_the_job_is_found_again_by_its_key()
    {
        await using var fake = await FakeGateway.StartAsync();
        fake.Submit = SubmitBehaviour.AcceptAndHoldAnswer;
        var data = NewDirectory();
        try
        {
            string key, id;
            using (var first = await ServerProcess.StartAsync(data, EaselHost.AdminKey, Settings(fake)))
            {
                (key, id) = await SubmitAsync(first);
                await fake.HeldSubmissionArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
                first.Kill();
            }
            Assert.Equal(1L, await Database.ScalarAsync<long>(data, "SELECT COUNT(*) FROM tasks WHERE upstream_key IS NOT NULL AND upstream_id IS NULL"));
            fake.Submit = SubmitBehaviour.Accept;

            using var second = await ServerProcess.StartAsync(data, EaselHost.AdminKey, Settings(fake));
            var task = await DoneAsync(second, key, id);

            Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
            Assert.Single(fake.Jobs);
            var submissions = Assert.Single(fake.SubmissionsByKey);
            // Sent again under the one key, made once (a third send is a claim that lapsed on a loaded machine: the same job).
            Assert.True(submissions.Value >= 2, $"sent {submissions.Value} times");
            await AssertSettledOnceAsync(data, charges: 1);
            output.WriteLine(second.Output);
        }
        finally
        {
            Delete(data);
        }
    }

    [Fact]
    public async Task Killed_after_the_upstream_id_was_stored_the_job_is_polled_again_and_never_resubmitted()
    {
        await using var fake = await FakeGateway.StartAsync();
        fake.WorkTime = TimeSpan.FromSeconds(4);
        var data = NewDirectory();
        try
        {
            string key, id;
            using (var first = await ServerProcess.StartAsync(data, EaselHost.AdminKey, Settings(fake)))
            {
                (key, id) = await SubmitAsync(first);
                await WaitForAsync(async () => await Database.ScalarAsync<long>(data, "SELECT COUNT(*) FROM tasks WHERE upstream_id IS NOT NULL") == 1);
                first.Kill();
            }

            using var second = await ServerProcess.StartAsync(data, EaselHost.AdminKey, Settings(fake));
            var task = await DoneAsync(second, key, id);
            Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
            Assert.Single(fake.Jobs);
            Assert.Equal(1, Assert.Single(fake.SubmissionsByKey).Value);
            await AssertSettledOnceAsync(data, charges: 1);
        }
        finally
        {
            Delete(data);
        }
    }

    [Fact]
    public async Task A_protocol_told_not_to_resubmit_fails_the_unknown_job_and_refunds_it_without_sending_it_again()
    {
        await using var fake = await FakeGateway.StartAsync();
        fake.Submit = SubmitBehaviour.AcceptAndHoldAnswer;
        var settings = Settings(fake, "classic", new Dictionary<string, string> { ["Easel__Engines__gateway__Options__ResubmitAfterCrash"] = "false" });
        var data = NewDirectory();
        try
        {
            string key, id;
            using (var first = await ServerProcess.StartAsync(data, EaselHost.AdminKey, settings))
            {
                (key, id) = await SubmitAsync(first);
                await fake.HeldSubmissionArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
                first.Kill();
            }
            fake.Submit = SubmitBehaviour.Accept;

            using var second = await ServerProcess.StartAsync(data, EaselHost.AdminKey, settings);
            var task = await DoneAsync(second, key, id);

            Assert.Equal("service_error", task["error"]!["code"]!.GetValue<string>());
            Assert.Contains("state is unknown", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(1, Assert.Single(fake.SubmissionsByKey).Value);
            await AssertSettledOnceAsync(data, charges: 0);
        }
        finally
        {
            Delete(data);
        }
    }

    private static async Task<System.Text.Json.Nodes.JsonObject> DoneAsync(ServerProcess server, string key, string id)
    {
        using var client = server.Client(key);
        var (task, _) = await client.UnifiedDoneAsync(id, TimeSpan.FromSeconds(60));
        return task;
    }

    private static async Task AssertSettledOnceAsync(string data, int charges)
    {
        Assert.Equal(charges, await Database.ScalarAsync<long>(data, "SELECT COUNT(*) FROM ledger WHERE kind = 1"));
        Assert.Equal(0L, await Database.ScalarAsync<long>(data, "SELECT COUNT(*) FROM (SELECT task_id FROM ledger WHERE kind IN (1, 2) GROUP BY task_id HAVING COUNT(*) > 1)"));
        Assert.Equal(0L, await Database.ScalarAsync<long>(data, "SELECT COUNT(*) FROM accounts a WHERE a.balance_micros != (SELECT COALESCE(SUM(amount_micros), 0) FROM ledger l WHERE l.account_id = a.id)"));
    }

    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));

    private static void Delete(string data)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
