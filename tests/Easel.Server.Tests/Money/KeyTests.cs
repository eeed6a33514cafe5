using System.Net;
using System.Text.Json.Nodes;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Money;

public sealed class KeyTests
{
    [Fact]
    public async Task A_key_limited_to_some_models_is_refused_the_others_in_each_dialect()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        var (accountId, _, _) = await host.CreateAccountAsync(new { name = "limited", credits = 100 });
        using var admin = host.Admin();
        var (status, key) = await admin.PostJsonAsync($"/admin/accounts/{accountId}/keys", new { name = "inpaint-only", models = new[] { "mj-v7-inpaint", "midjourney_remix" } });
        Assert.Equal(201, status);
        Assert.Equal(["mj-v7-inpaint", "mj-v7-remix"], key["models"]!.AsArray().Select(m => m!.GetValue<string>()));
        using var client = host.ClientWithKey(key["api_key"]!.GetValue<string>());
        var url = images.Serve("/a.png", TestImages.PatternPng(16, 16));

        var (unified, u) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url));
        Assert.Equal(403, unified);
        Assert.Equal("model_access_denied", u["error"]!["code"]!.GetValue<string>());
        Assert.Equal("Token does not have access to model: mj-v7-upload-paint", u["error"]!["message"]!.GetValue<string>());
        var (classic, c) = await client.PostJsonAsync("/model/v1/generation", Requests.ClassicUploadPaint(url));
        Assert.Equal(403, classic);
        Assert.Equal(4000403, c["error"]!["code"]!.GetValue<int>());

        // An allowed model passes the check and meets the next one: its source does not exist.
        var (allowed, _) = await client.PostJsonAsync("/model/v1/generation", new { model = "midjourney_remix", jobId = "task-x", imageNo = 0, remixPrompt = "p" });
        Assert.Equal(404, allowed);

        var (patched, view) = await admin.SendJsonAsync(HttpMethod.Patch, $"/admin/keys/{key["key_id"]}", """{"models": null}""");
        Assert.Equal(200, patched);
        Assert.Null(view["models"]);
        // The change applies at once on this node (the cached key is dropped).
        Assert.Equal(200, (await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url))).Status);
    }

    [Fact]
    public async Task Creates_past_a_keys_rate_are_429_with_retry_after_in_each_dialect()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        var (accountId, _, _) = await host.CreateAccountAsync(new { name = "rated", credits = 1000 });
        using var admin = host.Admin();
        var (_, key) = await admin.PostJsonAsync($"/admin/accounts/{accountId}/keys", new { name = "slow", rate_per_minute = 2, burst = 2 });
        using var client = host.ClientWithKey(key["api_key"]!.GetValue<string>());
        var url = images.Serve("/a.png", TestImages.PatternPng(16, 16));

        var (first, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url, canvas: 32));
        Assert.Equal(200, first);
        Assert.Equal(200, (await client.PostJsonAsync("/model/v1/generation", Requests.ClassicUploadPaint(url, canvas: 32))).Status);

        using var unified = await client.PostAsync("/v1/images/generations", Json(Requests.UnifiedUploadPaint(url, canvas: 32)));
        Assert.Equal(HttpStatusCode.TooManyRequests, unified.StatusCode);
        Assert.InRange(unified.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 30);
        var body = JsonNode.Parse(await unified.Content.ReadAsStringAsync())!;
        Assert.Equal("rate_limit_exceeded", body["error"]!["code"]!.GetValue<string>());
        Assert.Equal("rate_limit_error", body["error"]!["type"]!.GetValue<string>());

        using var classic = await client.PostAsync("/model/v1/generation", Json(Requests.ClassicUploadPaint(url, canvas: 32)));
        Assert.Equal(HttpStatusCode.TooManyRequests, classic.StatusCode);
        Assert.NotNull(classic.Headers.RetryAfter);
        Assert.Equal(4000429, JsonNode.Parse(await classic.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<int>());

        // Polling is not a create: it is never limited by the key's rate.
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(200, (await client.GetJsonAsync($"/v1/tasks/{created["id"]}")).Status);
        }
    }

    [Fact]
    public async Task A_revoked_key_is_refused_at_once()
    {
        using var host = new EaselHost();
        var (accountId, client, created) = await host.CreateAccountAsync(new { name = "revoked", credits = 1 });
        Assert.Equal(200, (await client.GetJsonAsync("/v1/account")).Status);
        using var admin = host.Admin();
        var (status, revoked) = await admin.PostJsonAsync($"/admin/keys/{created["key_id"]}/revoke", "{}");
        Assert.Equal(200, status);
        Assert.NotNull(revoked["revoked"]);
        Assert.Equal(401, (await client.GetJsonAsync("/v1/account")).Status);
        Assert.Equal(401, (await client.GetJsonAsync("/model/v1/generation/task/x")).Status);
        var (_, keys) = await admin.GetJsonAsync($"/admin/accounts/{accountId}/keys");
        Assert.All(keys["data"]!.AsArray(), k => Assert.Null(k!["api_key"]));
    }

    private static StringContent Json(object body) => new(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
