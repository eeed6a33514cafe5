using System.Net;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Money;

public sealed class ReservationTests
{
    [Fact]
    public async Task Fifty_concurrent_creates_on_credits_for_three_accept_exactly_three()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        var (accountId, client, _) = await host.CreateAccountAsync(new { name = "three", credits = 24.3 });
        var url = images.Serve("/a.png", TestImages.PatternPng(16, 16));
        var creates = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => i % 2 == 0
            ? client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url, canvas: 32))
            : client.PostJsonAsync("/model/v1/generation", Requests.ClassicUploadPaint(url, canvas: 32))));

        var accepted = creates.Where(c => c.Status == 200).ToList();
        var refused = creates.Where(c => c.Status == 402).ToList();
        Assert.Equal(3, accepted.Count);
        Assert.Equal(47, refused.Count);
        Assert.All(refused, r => Assert.True(
            r.Body["error"]!["code"]!.ToString() is "insufficient_quota" or "4000402", r.Body.ToJsonString()));
        foreach (var (_, body) in accepted)
        {
            Assert.Equal("completed", (await client.UnifiedDoneAsync(body["id"]!.GetValue<string>())).Task["status"]!.GetValue<string>());
        }
        Assert.Equal(0m, await host.BalanceMatchingLedgerAsync(accountId));
        var ledger = await host.LedgerAsync(accountId);
        Assert.Equal(3, ledger.Count("reserve"));
        Assert.Equal(3, ledger.Count("charge"));
        Assert.Equal(0, ledger.Count("refund"));
    }

    [Fact]
    public async Task A_task_that_fails_is_refunded_once()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        var (accountId, client, _) = await host.CreateAccountAsync(new { name = "refund", credits = 100 });
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(images.BaseUrl + "/missing.png"));
        var id = created["id"]!.GetValue<string>();
        Assert.Equal(8.1m, created["usage"]!["credits_reserved"]!.GetValue<decimal>());
        Assert.Equal("failed", (await client.UnifiedDoneAsync(id)).Task["status"]!.GetValue<string>());

        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        var ledger = await host.LedgerAsync(accountId);
        Assert.Equal(1, ledger.Count("reserve", id));
        Assert.Equal(1, ledger.Count("refund", id));
        Assert.Equal(0, ledger.Count("charge", id));
    }

    [Fact]
    public async Task A_task_cancelled_while_processing_is_refunded_once()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        var (accountId, client, _) = await host.CreateAccountAsync(new { name = "cancel", credits = 100 });
        var release = new TaskCompletionSource();
        var fetching = new TaskCompletionSource();
        var url = images.Handle("/slow.png", async http =>
        {
            fetching.TrySetResult();
            await release.Task;
            await http.Response.Body.WriteAsync(TestImages.PatternPng(16, 16));
        });
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url));
        var id = created["id"]!.GetValue<string>();
        await fetching.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(91.9m, await host.BalanceMatchingLedgerAsync(accountId));

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.PostJsonAsync($"/v1/tasks/{id}/cancel", "{}")));
        release.SetResult();
        await client.UnifiedDoneAsync(id);
        await Task.Delay(300); // let the stopped run reach its (refused) completion, so a double settlement would show

        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        var ledger = await host.LedgerAsync(accountId);
        Assert.Equal(1, ledger.Count("refund", id));
        Assert.Equal(0, ledger.Count("charge", id));
    }

    [Fact]
    public async Task A_completed_task_is_charged_and_priced_by_its_group()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost(new() { ["Easel:Pricing:Groups:vip"] = "0.5" });
        var (accountId, client, _) = await host.CreateAccountAsync(new { name = "vip", credits = 10, group = "vip" });
        var url = images.Serve("/a.png", TestImages.PatternPng(16, 16));
        var turbo = Requests.UnifiedUploadPaint(url, canvas: 32);
        ((Dictionary<string, object?>)turbo["model_params"]!)["speed"] = "turbo";
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", turbo);
        Assert.Equal(8.1m, created["usage"]!["credits_reserved"]!.GetValue<decimal>());
        Assert.Equal("vip", created["usage"]!["user_group"]!.GetValue<string>());
        var id = created["id"]!.GetValue<string>();
        await client.UnifiedDoneAsync(id);
        var (_, classic) = await client.GetJsonAsync($"/model/v1/generation/task/{id}");
        Assert.Equal("0.1191", classic["usage"]!["cost"]!.GetValue<string>());

        Assert.Equal(1.9m, await host.BalanceMatchingLedgerAsync(accountId));
        Assert.Equal(1, (await host.LedgerAsync(accountId)).Count("charge", id));
        var (again, refused) = await client.PostJsonAsync("/v1/images/generations", turbo);
        Assert.Equal(402, again);
        Assert.Equal("insufficient_quota", refused["error"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_account_may_have_only_so_many_tasks_in_progress()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        var (accountId, client, _) = await host.CreateAccountAsync(new { name = "capped", credits = 100, max_active_tasks = 1 });
        var release = new TaskCompletionSource();
        var url = images.Handle("/slow.png", async http =>
        {
            await release.Task;
            await http.Response.Body.WriteAsync(TestImages.PatternPng(16, 16));
        });
        var (first, body) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url));
        Assert.Equal(200, first);
        using var content = new StringContent(System.Text.Json.JsonSerializer.Serialize(Requests.ClassicUploadPaint(url)));
        using var second = await client.PostAsync("/model/v1/generation", content);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter);
        Assert.Contains("tasks pending or processing", await second.Content.ReadAsStringAsync());
        release.SetResult();
        await client.UnifiedDoneAsync(body["id"]!.GetValue<string>());
        Assert.Equal(200, (await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url))).Status);
        Assert.Equal(100m - 16.2m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task The_same_idempotency_key_and_body_return_the_first_task()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        var (accountId, client, _) = await host.CreateAccountAsync(new { name = "idem", credits = 100 });
        var url = images.Serve("/a.png", TestImages.PatternPng(16, 16));
        var body = System.Text.Json.JsonSerializer.Serialize(Requests.UnifiedUploadPaint(url, canvas: 32));
        async Task<(int Status, string Body)> PostAsync(string key, string json)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations") { Content = new StringContent(json) };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await client.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => PostAsync("order-1", body)));
        Assert.All(answers, a => Assert.Equal(200, a.Status));
        var ids = answers.Select(a => System.Text.Json.Nodes.JsonNode.Parse(a.Body)!["id"]!.GetValue<string>()).Distinct().ToList();
        Assert.Single(ids);

        var (conflict, conflictBody) = await PostAsync("order-1", body.Replace("a quiet harbour", "another prompt", StringComparison.Ordinal));
        Assert.Equal(409, conflict);
        Assert.Contains("Idempotency-Key", conflictBody);
        var (other, otherBody) = await PostAsync("order-2", body);
        Assert.Equal(200, other);
        Assert.NotEqual(ids[0], System.Text.Json.Nodes.JsonNode.Parse(otherBody)!["id"]!.GetValue<string>());
        Assert.Equal(2, (await host.LedgerAsync(accountId)).Count("reserve"));
    }
}
