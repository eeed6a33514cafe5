using System.Text.Json.Nodes;

namespace Easel.Server.Tests.Infrastructure;

public static class AdminCalls
{
    /// <summary>Creates an account through the admin API; returns its id and a client for its first key.</summary>
    public static async Task<(string AccountId, HttpClient Client, JsonObject Created)> CreateAccountAsync(this EaselHost host, object body)
    {
        using var admin = host.Admin();
        var (status, created) = await admin.PostJsonAsync("/admin/accounts", body);
        Assert.True(status == 201, created.ToJsonString());
        return (created["account_id"]!.GetValue<string>(), host.ClientWithKey(created["api_key"]!.GetValue<string>()), created);
    }

    public static async Task<JsonObject> LedgerAsync(this EaselHost host, string accountId)
    {
        using var admin = host.Admin();
        var (status, ledger) = await admin.GetJsonAsync($"/admin/accounts/{accountId}/ledger?limit=1000");
        Assert.Equal(200, status);
        return ledger;
    }

    /// <summary>The balance equals the sum of the ledger, and both are returned.</summary>
    public static async Task<decimal> BalanceMatchingLedgerAsync(this EaselHost host, string accountId)
    {
        var ledger = await host.LedgerAsync(accountId);
        var balance = ledger["balance"]!.GetValue<decimal>();
        var sum = ledger["data"]!.AsArray().Sum(e => e!["amount"]!.GetValue<decimal>());
        Assert.Equal(balance, sum);
        return balance;
    }

    public static int Count(this JsonObject ledger, string kind, string? taskId = null) =>
        ledger["data"]!.AsArray().Count(e => e!["kind"]!.GetValue<string>() == kind
            && (taskId is null || e["task_id"]?.GetValue<string>() == taskId));
}
