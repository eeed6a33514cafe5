using Easel.Testing;
using Easel.Server.Tests.Health;
using Easel.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Easel.Server.Tests.Tasks;

/// <summary>
/// SIGTERM to the real process: running tasks finish within the grace period or go back to pending, callbacks in
/// flight are finished, the process exits 0, and the next start resumes what was left: never lost, never doubled.
/// </summary>
public sealed class GracefulShutdownTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(60);

    private readonly string _data = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_task_that_finishes_within_the_grace_period_completes_once_and_its_callback_is_sent_before_exit()
    {
        await using var images = await ImageServer.StartAsync();
        await using var receiver = await CallbackReceiver.StartAsync();
        // The source image is held until the test lets it go: the task is processing when SIGTERM arrives.
        var letGo = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var png = TestImages.PatternPng(32, 32);
        var url = images.Handle("/held.png", async http =>
        {
            await letGo.Task.WaitAsync(http.RequestAborted);
            http.Response.ContentType = "image/png";
            await http.Response.Body.WriteAsync(png);
        });

        string id;
        using (var server = await ServerProcess.StartAsync(_data, EaselHost.AdminKey, new Dictionary<string, string> { ["Easel__Tasks__ShutdownGracePeriod"] = "00:00:30" }))
        using (var client = server.Client())
        {
            var body = Requests.ClassicUploadPaint(url, canvas: 64);
            body["callback"] = receiver.Url;
            var (status, created) = await client.PostJsonAsync("/model/v1/generation", body);
            Assert.Equal(200, status);
            id = created["id"]!.GetValue<string>();
            await WaitForProcessingAsync(client, id);

            server.Terminate();
            // During the grace period the node still answers, and tells load balancers to go elsewhere.
            var (ready, readiness) = await WaitForNotReadyAsync(server);
            Assert.Equal(503, ready);
            Assert.Contains("shutdown", readiness["failing"]!.AsArray().Select(f => f!.GetValue<string>()));
            Assert.False(server.HasExited);

            letGo.SetResult();
            Assert.Equal(0, await server.WaitForExitAsync(ExitWithin));
            output.WriteLine(server.Output);
        }

        // Completed on its first attempt, charged once, and its callback delivered before the process left.
        Assert.Equal("2|1|4", await Database.ScalarAsync<string>(_data, $"SELECT state || '|' || attempts || '|' || json_array_length(result_keys) FROM tasks WHERE id = '{id}'"));
        Assert.Equal(1, await Database.ScalarAsync<int>(_data, $"SELECT COUNT(*) FROM ledger WHERE task_id = '{id}' AND kind = 1"));
        Assert.Equal(0, await Database.ScalarAsync<int>(_data, $"SELECT COUNT(*) FROM ledger WHERE task_id = '{id}' AND kind = 2"));
        Assert.Equal("1|1", await Database.ScalarAsync<string>(_data, $"SELECT state || '|' || attempts FROM callback_deliveries WHERE task_id = '{id}'"));
        Assert.Single(receiver.Requests);

        // The next start has nothing to resume and nothing to resend.
        using (var again = await ServerProcess.StartAsync(_data, EaselHost.AdminKey))
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.Equal("2|1", await Database.ScalarAsync<string>(_data, $"SELECT state || '|' || attempts FROM tasks WHERE id = '{id}'"));
        }
        Assert.Single(receiver.Requests);
        await AssertBalancesAreTheirLedgersAsync();
    }

    [Fact]
    public async Task A_task_that_cannot_finish_within_the_grace_period_is_put_back_and_completes_once_after_restart()
    {
        await using var images = await ImageServer.StartAsync();
        var png = TestImages.PatternPng(32, 32);
        // The first fetch hangs (until Easel gives it up); any later one answers at once.
        var url = images.Handle("/first-hangs.png", async http =>
        {
            if (images.Hits("/first-hangs.png") == 1)
            {
                await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }
            http.Response.ContentType = "image/png";
            await http.Response.Body.WriteAsync(png);
        });

        string id;
        using (var server = await ServerProcess.StartAsync(_data, EaselHost.AdminKey, new Dictionary<string, string> { ["Easel__Tasks__ShutdownGracePeriod"] = "00:00:01" }))
        using (var client = server.Client())
        {
            var (status, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url, canvas: 64));
            Assert.Equal(200, status);
            id = created["id"]!.GetValue<string>();
            await WaitForProcessingAsync(client, id);

            server.Terminate();
            Assert.Equal(0, await server.WaitForExitAsync(ExitWithin));
            output.WriteLine(server.Output);
            Assert.Contains("put back to pending", server.Output, StringComparison.Ordinal);
        }

        // Pending at once (no lease left to expire), its one attempt counted, neither charged nor refunded.
        Assert.Equal("0|1|1", await Database.ScalarAsync<string>(_data,
            $"SELECT state || '|' || attempts || '|' || (lease_token IS NULL AND lease_node IS NULL AND lease_expires_at IS NULL) FROM tasks WHERE id = '{id}'"));
        Assert.Equal(0, await Database.ScalarAsync<int>(_data, $"SELECT COUNT(*) FROM ledger WHERE task_id = '{id}' AND kind IN (1, 2)"));

        using (var again = await ServerProcess.StartAsync(_data, EaselHost.AdminKey))
        using (var client = again.Client())
        {
            var (task, _) = await client.UnifiedDoneAsync(id, TimeSpan.FromSeconds(60));
            Assert.Equal("completed", task["status"]!.GetValue<string>());
            Assert.Equal(4, task["results"]!.AsArray().Count);
            again.Terminate();
            Assert.Equal(0, await again.WaitForExitAsync(ExitWithin));
        }

        // Attempt 2 completed it; one charge, no refund, four results: recorded once.
        Assert.Equal("2|2|4", await Database.ScalarAsync<string>(_data, $"SELECT state || '|' || attempts || '|' || json_array_length(result_keys) FROM tasks WHERE id = '{id}'"));
        Assert.Equal(1, await Database.ScalarAsync<int>(_data, $"SELECT COUNT(*) FROM ledger WHERE task_id = '{id}' AND kind = 1"));
        Assert.Equal(0, await Database.ScalarAsync<int>(_data, $"SELECT COUNT(*) FROM ledger WHERE task_id = '{id}' AND kind = 2"));
        Assert.Equal(2, images.Hits("/first-hangs.png"));
        await AssertBalancesAreTheirLedgersAsync();
    }

    [Fact]
    public async Task A_callback_in_flight_at_sigterm_is_finished_and_not_sent_again_after_restart()
    {
        await using var images = await ImageServer.StartAsync();
        await using var receiver = await CallbackReceiver.StartAsync();
        // The receiver holds its answer: the attempt is in flight when SIGTERM arrives, and ends during the stop.
        receiver.Hold = _ => TimeSpan.FromSeconds(3);

        string id;
        using (var server = await ServerProcess.StartAsync(_data, EaselHost.AdminKey))
        using (var client = server.Client())
        {
            var body = Requests.ClassicUploadPaint(images.Serve("/a.png", TestImages.PatternPng(16, 16)), canvas: 32);
            body["callback"] = receiver.Url;
            var (_, created) = await client.PostJsonAsync("/model/v1/generation", body);
            id = created["id"]!.GetValue<string>();
            await receiver.WaitForAsync(1, TimeSpan.FromSeconds(30));
            Assert.Single(receiver.Requests);

            server.Terminate();
            Assert.Equal(0, await server.WaitForExitAsync(ExitWithin));
            output.WriteLine(server.Output);
        }

        // The answer came back during the stop and was recorded: delivered on its first attempt.
        Assert.Equal("1|1|200", await Database.ScalarAsync<string>(_data,
            $"SELECT state || '|' || attempts || '|' || last_status FROM callback_deliveries WHERE task_id = '{id}'"));

        using (var again = await ServerProcess.StartAsync(_data, EaselHost.AdminKey))
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        // API.md section 7: a restart neither loses nor repeats a delivered callback. Exactly one request arrived.
        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task A_callback_waiting_for_a_free_slot_at_sigterm_stays_in_the_outbox_and_is_sent_at_once_after_restart()
    {
        await using var images = await ImageServer.StartAsync();
        await using var receiver = await CallbackReceiver.StartAsync();
        // One slot, held by the first callback: the second is handed over but cannot be attempted before the stop.
        receiver.Hold = n => n == 1 ? TimeSpan.FromSeconds(3) : TimeSpan.Zero;
        var url = images.Serve("/a.png", TestImages.PatternPng(16, 16));

        var ids = new List<string>();
        using (var server = await ServerProcess.StartAsync(_data, EaselHost.AdminKey, new Dictionary<string, string> { ["Easel__Callbacks__Concurrency"] = "1" }))
        using (var client = server.Client())
        {
            foreach (var _ in Enumerable.Range(0, 2))
            {
                var body = Requests.ClassicUploadPaint(url, canvas: 32);
                body["callback"] = receiver.Url;
                var (_, created) = await client.PostJsonAsync("/model/v1/generation", body);
                ids.Add(created["id"]!.GetValue<string>());
            }
            foreach (var id in ids)
            {
                Assert.Equal("completed", (await client.UnifiedDoneAsync(id)).Task["status"]!.GetValue<string>());
            }
            Assert.Single(await receiver.WaitForAsync(1, TimeSpan.FromSeconds(30)));

            server.Terminate();
            Assert.Equal(0, await server.WaitForExitAsync(ExitWithin));
            output.WriteLine(server.Output);
            Assert.Contains("1 callbacks not yet attempted stay in the outbox", server.Output, StringComparison.Ordinal);
        }

        // One delivered during the stop; the other pending, unattempted, and claimed by nobody.
        Assert.Equal(1, await Database.ScalarAsync<int>(_data, "SELECT COUNT(*) FROM callback_deliveries WHERE state = 1 AND attempts = 1"));
        Assert.Equal(1, await Database.ScalarAsync<int>(_data, "SELECT COUNT(*) FROM callback_deliveries WHERE state = 0 AND attempts = 0 AND lease_token IS NULL"));

        using (var again = await ServerProcess.StartAsync(_data, EaselHost.AdminKey))
        {
            // Well within the 30 s a leftover claim would have held it back.
            await receiver.WaitForAsync(2, TimeSpan.FromSeconds(10));
            Assert.Equal(2, receiver.Requests.Count);
            // The receiver counts a request when it arrives; a graceful stop lets its attempt be recorded too.
            again.Terminate();
            Assert.Equal(0, await again.WaitForExitAsync(ExitWithin));
        }
        Assert.Equal(2, receiver.Requests.Select(r => r.DeliveryId).Distinct().Count());
        Assert.Equal(2, await Database.ScalarAsync<int>(_data, "SELECT COUNT(*) FROM callback_deliveries WHERE state = 1 AND attempts = 1"));
    }

    [Fact]
    public void A_negative_grace_period_stops_the_start_with_a_message_naming_it()
    {
        using var host = new EaselHost(new() { ["Easel:Tasks:ShutdownGracePeriod"] = "-00:00:01" });
        var refused = Assert.ThrowsAny<Exception>(() => host.CreateClient());
        Assert.Contains("Easel:Tasks:ShutdownGracePeriod must not be negative", refused.ToString(), StringComparison.Ordinal);
    }

    private static async Task WaitForProcessingAsync(HttpClient client, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var (_, task) = await client.GetJsonAsync($"/v1/tasks/{id}");
            if (task["status"]!.GetValue<string>() == "processing")
            {
                return;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("the task never started processing");
    }

    private static async Task<(int Status, System.Text.Json.Nodes.JsonObject Body)> WaitForNotReadyAsync(ServerProcess server)
    {
        using var client = new HttpClient { BaseAddress = new Uri(server.Url) };
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var (status, body, _) = await ReadinessTests.ReadyzAsync(client);
            if (status != 200 || DateTime.UtcNow > deadline)
            {
                return (status, body);
            }
            await Task.Delay(20);
        }
    }

    private async Task AssertBalancesAreTheirLedgersAsync() =>
        Assert.Equal(0, await Database.ScalarAsync<int>(_data,
            "SELECT COUNT(*) FROM accounts a WHERE a.balance_micros != (SELECT COALESCE(SUM(amount_micros), 0) FROM ledger l WHERE l.account_id = a.id)"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
