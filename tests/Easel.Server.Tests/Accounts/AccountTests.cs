using System.Text;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Accounts;

public sealed class AccountTests
{
    [Fact]
    public async Task Only_an_admin_key_creates_accounts_and_the_new_key_works()
    {
        using var host = new EaselHost();
        using var admin = host.Admin();
        var (status, created) = await admin.PostJsonAsync("/admin/accounts", new { name = "studio" });
        Assert.Equal(201, status);
        var key = created["api_key"]!.GetValue<string>();
        Assert.StartsWith("esk_", key);
        Assert.StartsWith("acct_", created["account_id"]!.GetValue<string>());

        using var user = host.ClientWithKey(key);
        var (forbidden, body) = await user.PostJsonAsync("/admin/accounts", new { name = "sneaky" });
        Assert.Equal(403, forbidden);
        Assert.Equal("forbidden", body["error"]!["code"]!.GetValue<string>());

        var (bad, badBody) = await admin.PostJsonAsync("/admin/accounts", new { name = "" });
        Assert.Equal(400, bad);
        Assert.Equal("name", badBody["error"]!["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task Keys_are_stored_only_as_hashes()
    {
        using var host = new EaselHost();
        using var admin = host.Admin();
        var (_, created) = await admin.PostJsonAsync("/admin/accounts", new { name = "studio" });
        var key = created["api_key"]!.GetValue<string>();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var stored = string.Concat(Directory.EnumerateFiles(host.DataDirectory, "easel.db*").Select(f =>
            Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        Assert.DoesNotContain(key, stored);
        Assert.DoesNotContain(EaselHost.AdminKey, stored);
        Assert.Equal(2, await Database.ScalarAsync<int>(host.DataDirectory, "SELECT COUNT(*) FROM api_keys WHERE length(key_hash) = 32"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer ")]
    [InlineData("Bearer wrong-key")]
    [InlineData("Basic dGVzdDp0ZXN0")]
    public async Task Requests_without_a_valid_key_are_401_in_each_dialect(string? authorization)
    {
        using var host = new EaselHost();
        using var client = host.CreateClient();
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }
        var (unified, u) = await client.GetJsonAsync("/v1/tasks/task-unified-1-x");
        Assert.Equal(401, unified);
        Assert.Equal("authentication_error", u["error"]!["type"]!.GetValue<string>());
        var (classic, c) = await client.GetJsonAsync("/model/v1/generation/task/task-unified-1-x");
        Assert.Equal(401, classic);
        Assert.Equal(4000401, c["error"]!["code"]!.GetValue<int>());
        Assert.Equal("failed", c["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Another_accounts_task_does_not_exist_for_you_anywhere()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var alice = await host.NewAccountAsync("alice");
        using var bob = await host.NewAccountAsync("bob");
        var url = images.Serve("/a.png", TestImages.PatternPng(32, 32));
        var (_, created) = await alice.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url, canvas: 64));
        var id = created["id"]!.GetValue<string>();
        await alice.UnifiedDoneAsync(id);

        Assert.Equal(404, (await bob.GetJsonAsync($"/v1/tasks/{id}")).Status);
        Assert.Equal(404, (await bob.GetJsonAsync($"/model/v1/generation/task/{id}")).Status);
        Assert.Equal(404, (await bob.PostJsonAsync($"/v1/tasks/{id}/cancel", "{}")).Status);
        Assert.Equal(404, (await bob.PostJsonAsync($"/model/v1/generation/task/{id}/cancel", "{}")).Status);
        var (remix, body) = await bob.PostJsonAsync("/v1/images/generations",
            new { model = "mj-v7-remix", prompt = "mine now", model_params = new { task_id = id, image_number = 0 } });
        Assert.Equal(404, remix);
        Assert.Equal("resource_not_found", body["error"]!["code"]!.GetValue<string>());
        var (classicRemix, classicBody) = await bob.PostJsonAsync("/model/v1/generation",
            new { model = "midjourney_remix", jobId = id, imageNo = 0, remixPrompt = "mine now" });
        Assert.Equal(404, classicRemix);
        Assert.Equal(4011001, classicBody["error"]!["code"]!.GetValue<int>());

        Assert.Equal(200, (await alice.GetJsonAsync($"/v1/tasks/{id}")).Status);
    }
}
