using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Money;

public sealed class AdminTests
{
    [Fact]
    public async Task Credits_go_up_and_down_with_a_reason_but_never_below_zero()
    {
        using var host = new EaselHost();
        var (accountId, client, created) = await host.CreateAccountAsync(new { name = "wallet", credits = 10 });
        Assert.StartsWith("whsec_", created["webhook_secret"]!.GetValue<string>());
        using var admin = host.Admin();

        var (up, upBody) = await admin.PostJsonAsync($"/admin/accounts/{accountId}/credits", new { amount = 8.1, reason = "promo" });
        Assert.Equal(200, up);
        Assert.Equal(18.1m, upBody["balance"]!.GetValue<decimal>());
        var (down, downBody) = await admin.PostJsonAsync($"/admin/accounts/{accountId}/credits", new { amount = -18.1, reason = "chargeback" });
        Assert.Equal(200, down);
        Assert.Equal(0m, downBody["balance"]!.GetValue<decimal>());
        var (below, belowBody) = await admin.PostJsonAsync($"/admin/accounts/{accountId}/credits", new { amount = -0.000001 });
        Assert.Equal(409, below);
        Assert.Equal("amount", belowBody["error"]!["param"]!.GetValue<string>());
        Assert.Equal(400, (await admin.PostJsonAsync($"/admin/accounts/{accountId}/credits", new { amount = 0.0000001 })).Status);
        Assert.Equal(400, (await admin.PostJsonAsync($"/admin/accounts/{accountId}/credits", new { amount = "5" })).Status);
        Assert.Equal(404, (await admin.PostJsonAsync("/admin/accounts/acct_nobody/credits", new { amount = 1 })).Status);

        var ledger = await host.LedgerAsync(accountId);
        Assert.Equal(["adjust", "top_up", "top_up"], ledger["data"]!.AsArray().Select(e => e!["kind"]!.GetValue<string>()));
        Assert.Equal("chargeback", ledger["data"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal(0m, await host.BalanceMatchingLedgerAsync(accountId));

        var (self, account) = await client.GetJsonAsync("/v1/account");
        Assert.Equal(200, self);
        Assert.Equal(accountId, account["account_id"]!.GetValue<string>());
        Assert.Equal(0m, account["balance"]!.GetValue<decimal>());
        Assert.Equal("default", account["group"]!.GetValue<string>());
        Assert.Equal(created["webhook_secret"]!.GetValue<string>(), account["webhook_secret"]!.GetValue<string>());
        Assert.NotNull(account["usage"]);
    }

    [Fact]
    public async Task Usage_counts_tasks_and_credits_by_model_and_day()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        var (accountId, client, _) = await host.CreateAccountAsync(new { name = "user", credits = 100 });
        var url = images.Serve("/a.png", TestImages.PatternPng(16, 16));
        var (_, first) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url, canvas: 32));
        await client.UnifiedDoneAsync(first["id"]!.GetValue<string>());
        var (_, failed) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(images.BaseUrl + "/none.png", canvas: 32));
        await client.UnifiedDoneAsync(failed["id"]!.GetValue<string>());
        var (_, remix) = await client.PostJsonAsync("/v1/images/generations", new { model = "mj-v7-remix", prompt = "p", model_params = new { task_id = first["id"]!.GetValue<string>() } });
        await client.UnifiedDoneAsync(remix["id"]!.GetValue<string>());

        using var admin = host.Admin();
        var (status, usage) = await admin.GetJsonAsync($"/admin/accounts/{accountId}/usage");
        Assert.Equal(200, status);
        Assert.Equal(2, usage["tasks"]!["completed"]!.GetValue<int>());
        Assert.Equal(1, usage["tasks"]!["failed"]!.GetValue<int>());
        var byModel = usage["by_model"]!.AsArray().ToDictionary(m => m!["model"]!.GetValue<string>(), m => m!);
        Assert.Equal(2, byModel["mj-v7-upload-paint"]["tasks"]!.GetValue<int>());
        Assert.Equal(8.1m, byModel["mj-v7-upload-paint"]["credits_charged"]!.GetValue<decimal>());
        Assert.Equal(8.1m, byModel["mj-v7-remix"]["credits_charged"]!.GetValue<decimal>());
        var day = Assert.Single(usage["by_day"]!.AsArray());
        Assert.Equal(3, day!["tasks"]!.GetValue<int>());
        Assert.Equal(16.2m, day["credits_charged"]!.GetValue<decimal>());
        Assert.Equal(100m - 16.2m, await host.BalanceMatchingLedgerAsync(accountId));

        var (_, accounts) = await admin.GetJsonAsync("/admin/accounts");
        Assert.Contains(accounts["data"]!.AsArray(), a => a!["account_id"]!.GetValue<string>() == accountId);
        Assert.All(accounts["data"]!.AsArray(), a => Assert.Null(a!["webhook_secret"]));
        Assert.Equal(403, (await client.GetJsonAsync("/admin/accounts")).Status);
    }

    [Fact]
    public async Task The_admin_account_is_unlimited_yet_writes_its_ledger()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var admin = host.Admin();
        var url = images.Serve("/a.png", TestImages.PatternPng(16, 16));
        var (status, created) = await admin.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url, canvas: 32));
        Assert.Equal(200, status);
        await admin.UnifiedDoneAsync(created["id"]!.GetValue<string>());
        var (_, account) = await admin.GetJsonAsync("/v1/account");
        Assert.True(account["unlimited"]!.GetValue<bool>());
        Assert.Equal(-8.1m, await host.BalanceMatchingLedgerAsync(account["account_id"]!.GetValue<string>()));
    }
}
