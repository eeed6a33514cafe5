using System.Text.Json.Nodes;
using Easel.Core.Callbacks;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Callbacks;

public sealed class CallbackDeliveryTests
{
    [Fact]
    public async Task A_receiver_that_fails_twice_gets_the_same_signed_body_three_times_on_schedule()
    {
        await using var images = await ImageServer.StartAsync();
        await using var receiver = await CallbackReceiver.StartAsync();
        receiver.Status = n => n <= 2 ? 500 : 200;
        using var host = new EaselHost();
        var (accountId, client, created) = await host.CreateAccountAsync(new { name = "hooks", credits = 100 });
        var body = Requests.ClassicUploadPaint(images.Serve("/a.png", TestImages.PatternPng(16, 16)), canvas: 32);
        body["callback"] = receiver.Url;
        var (_, task) = await client.PostJsonAsync("/model/v1/generation", body);
        var id = task["id"]!.GetValue<string>();
        await client.ClassicDoneAsync(id);

        var received = await receiver.WaitForAsync(3, TimeSpan.FromSeconds(15));
        Assert.Equal(3, received.Count);
        // 1 s after the first failure, 2 s after the second (with the scheduler's slack).
        Assert.InRange((received[1].At - received[0].At).TotalSeconds, 0.9, 1.8);
        Assert.InRange((received[2].At - received[1].At).TotalSeconds, 1.9, 2.8);
        Assert.Single(received.Select(r => r.Body).Distinct());
        Assert.Single(received.Select(r => r.DeliveryId).Distinct());
        Assert.All(received, r => Assert.Equal("task.completed", r.Event));

        // The body is exactly what a query of the task answers, in the dialect it was made in.
        using var query = await client.GetAsync($"/model/v1/generation/task/{id}");
        Assert.Equal(await query.Content.ReadAsStringAsync(), received[0].Body);

        var secret = created["webhook_secret"]!.GetValue<string>();
        Assert.All(received, r => Assert.True(CallbackSignature.Verify(secret, r.Signature, r.Body)));
        Assert.False(CallbackSignature.Verify(secret, received[0].Signature, received[0].Body.Replace("completed", "failed", StringComparison.Ordinal)));
        Assert.False(CallbackSignature.Verify("whsec_other", received[0].Signature, received[0].Body));

        var deliveries = await WaitForStateAsync(client, $"/model/v1/generation/task/{id}/callbacks", "delivered");
        Assert.Equal(3, deliveries["attempts"]!.GetValue<int>());
        Assert.Equal(200, deliveries["last_status"]!.GetValue<int>());
        Assert.NotNull(deliveries["delivered_at"]);
        _ = accountId;
    }

    [Fact]
    public async Task A_receiver_that_always_fails_gets_four_attempts_and_a_recorded_failure()
    {
        await using var images = await ImageServer.StartAsync();
        await using var receiver = await CallbackReceiver.StartAsync();
        receiver.Status = _ => 503;
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var body = Requests.ClassicUploadPaint(images.BaseUrl + "/missing.png");
        body["callback"] = receiver.Url;
        var (_, task) = await client.PostJsonAsync("/model/v1/generation", body);
        var id = task["id"]!.GetValue<string>();

        var delivery = await WaitForStateAsync(client, $"/v1/tasks/{id}/callbacks", "failed", TimeSpan.FromSeconds(20));
        Assert.Equal(4, delivery["attempts"]!.GetValue<int>());
        Assert.Equal(503, delivery["last_status"]!.GetValue<int>());
        Assert.Contains("HTTP 503", delivery["last_error"]!.GetValue<string>());
        Assert.Equal(4, receiver.Requests.Count);
        Assert.All(receiver.Requests, r => Assert.Equal("task.failed", r.Event));
        await Task.Delay(1500);
        Assert.Equal(4, receiver.Requests.Count);
    }

    [Fact]
    public async Task Callbacks_in_flight_never_exceed_the_configured_concurrency_whether_started_at_the_task_end_or_by_the_worker()
    {
        // A free slot lets the thread that ended the task start its callback at once; with none free the claim waits
        // for the worker. Either way the limit holds, and every callback is delivered.
        await using var images = await ImageServer.StartAsync();
        await using var receiver = await CallbackReceiver.StartAsync();
        receiver.Hold = _ => TimeSpan.FromMilliseconds(300);
        using var host = new EaselHost(new() { ["Easel:Callbacks:Concurrency"] = "2" });
        using var client = await host.NewAccountAsync();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var body = Requests.ClassicUploadPaint(images.BaseUrl + $"/missing-{i}.png");
            body["callback"] = receiver.Url;
            var (_, task) = await client.PostJsonAsync("/model/v1/generation", body);
            ids.Add(task["id"]!.GetValue<string>());
        }

        var received = await receiver.WaitForAsync(ids.Count, TimeSpan.FromSeconds(15));
        Assert.Equal(ids.Order(), received.Select(r => System.Text.Json.Nodes.JsonNode.Parse(r.Body)!["id"]!.GetValue<string>()).Order());
        Assert.Equal(2, receiver.MaxInFlight);
        foreach (var id in ids)
        {
            var delivery = await WaitForStateAsync(client, $"/v1/tasks/{id}/callbacks", "delivered");
            Assert.Equal(1, delivery["attempts"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task A_retry_falling_due_during_a_burst_goes_ahead_of_the_burst_waiting_for_the_slot()
    {
        // One slot; the first callback fails (retry 1 s later), then twenty more arrive, each answered after 250 ms:
        // the retry must not wait behind all of them.
        await using var images = await ImageServer.StartAsync();
        await using var receiver = await CallbackReceiver.StartAsync();
        receiver.Status = n => n == 1 ? 503 : 200;
        receiver.Hold = n => n == 1 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(250);
        using var host = new EaselHost(new() { ["Easel:Callbacks:Concurrency"] = "1" });
        using var client = await host.NewAccountAsync();

        async Task<string> CreateFailingAsync(int i)
        {
            var body = Requests.ClassicUploadPaint(images.BaseUrl + $"/missing-{i}.png");
            body["callback"] = receiver.Url;
            var (_, task) = await client.PostJsonAsync("/model/v1/generation", body);
            return task["id"]!.GetValue<string>();
        }

        var first = await CreateFailingAsync(0);
        await receiver.WaitForAsync(1, TimeSpan.FromSeconds(10));
        for (var i = 1; i <= 20; i++)
        {
            await CreateFailingAsync(i);
        }

        var received = await receiver.WaitForAsync(22, TimeSpan.FromSeconds(30));
        Assert.Equal(22, received.Count);
        var ofFirst = received.Select((r, i) => (r, i)).Where(p => JsonNode.Parse(p.r.Body)!["id"]!.GetValue<string>() == first).ToList();
        Assert.Equal(2, ofFirst.Count);
        // Behind the whole burst it would be last (21st of 22): the burst takes 5 s, the retry is due after 1 s.
        Assert.True(ofFirst[1].i < 16, $"the retry arrived {ofFirst[1].i + 1}th of 22");
    }

    [Fact]
    public async Task A_unified_task_calls_back_over_https_with_its_own_dialect_and_cancellation_event()
    {
        await using var images = await ImageServer.StartAsync();
        await using var receiver = await CallbackReceiver.StartAsync(https: true);
        using var host = new EaselHost(new() { ["Easel:Outbound:TrustedCertificates:0"] = receiver.Thumbprint });
        using var client = await host.NewAccountAsync();
        var release = new TaskCompletionSource();
        var url = images.Handle("/slow.png", async http =>
        {
            await release.Task;
            await http.Response.Body.WriteAsync(TestImages.PatternPng(16, 16));
        });
        var body = Requests.UnifiedUploadPaint(url);
        body["callback_url"] = receiver.Url;
        var (status, task) = await client.PostJsonAsync("/v1/images/generations", body);
        Assert.Equal(200, status);
        var id = task["id"]!.GetValue<string>();
        await client.PostJsonAsync($"/v1/tasks/{id}/cancel", "{}");
        release.SetResult();

        var received = Assert.Single(await receiver.WaitForAsync(1, TimeSpan.FromSeconds(10)));
        Assert.Equal("task.cancelled", received.Event);
        var payload = JsonNode.Parse(received.Body)!;
        Assert.Equal("image.generation.task", payload["object"]!.GetValue<string>());
        Assert.Equal("request_cancelled", payload["error"]!["code"]!.GetValue<string>());
        using var query = await client.GetAsync($"/v1/tasks/{id}");
        Assert.Equal(await query.Content.ReadAsStringAsync(), received.Body);
    }

    [Fact]
    public async Task A_callback_host_that_resolves_to_a_private_address_is_refused_at_delivery_and_recorded()
    {
        var name = System.Net.Dns.GetHostName();
        var addresses = await System.Net.Dns.GetHostAddressesAsync(name);
        Assert.True(addresses.Length > 0 && addresses.All(Easel.Core.Outbound.AddressPolicy.IsRefused),
            $"this test needs the machine's own name ({name}) to resolve to private addresses: {string.Join(", ", addresses.Select(a => a.ToString()))}");
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost(new()
        {
            ["Easel:Outbound:AllowPrivateNetworks"] = "false",
            // The image server is on loopback: allowed by address so only the callback meets the guard.
            ["Easel:Outbound:AllowedHosts:0"] = "127.0.0.1",
        });
        using var client = await host.NewAccountAsync();
        var body = Requests.ClassicUploadPaint(images.Serve("/a.png", TestImages.PatternPng(16, 16)), canvas: 32);
        body["callback"] = $"http://{name}:9/hook";
        var (status, task) = await client.PostJsonAsync("/model/v1/generation", body);
        Assert.Equal(200, status);
        var delivery = await WaitForStateAsync(client, $"/model/v1/generation/task/{task["id"]}/callbacks", "failed", TimeSpan.FromSeconds(20));
        Assert.Contains("private or reserved address", delivery["last_error"]!.GetValue<string>());
        Assert.Null(delivery["last_status"]);
    }

    [Fact]
    public async Task A_task_without_a_callback_has_no_deliveries_and_another_accounts_task_is_not_found()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var alice = await host.NewAccountAsync("alice");
        using var bob = await host.NewAccountAsync("bob");
        var (_, task) = await alice.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(images.Serve("/a.png", TestImages.PatternPng(16, 16)), canvas: 32));
        var id = task["id"]!.GetValue<string>();
        await alice.UnifiedDoneAsync(id);
        var (status, list) = await alice.GetJsonAsync($"/v1/tasks/{id}/callbacks");
        Assert.Equal(200, status);
        Assert.Empty(list["data"]!.AsArray());
        Assert.Equal(404, (await bob.GetJsonAsync($"/v1/tasks/{id}/callbacks")).Status);
        Assert.Equal(404, (await bob.GetJsonAsync($"/model/v1/generation/task/{id}/callbacks")).Status);
    }

    internal static Task<JsonObject> WaitForStateAsync(HttpClient client, string path, string state, TimeSpan? timeout = null) =>
        WaitForDeliveryAsync(client, path, d => d["status"]!.GetValue<string>() == state, $"reach {state}", timeout);

    internal static async Task<JsonObject> WaitForDeliveryAsync(HttpClient client, string path, Func<JsonObject, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var (status, list) = await client.GetJsonAsync(path);
            Assert.Equal(200, status);
            var delivery = list["data"]!.AsArray().SingleOrDefault()?.AsObject();
            if (delivery is not null && done(delivery))
            {
                return delivery;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{path} did not {what}: {list.ToJsonString()}");
            }
            await Task.Delay(20);
        }
    }
}
