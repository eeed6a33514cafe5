using Easel.Cli.Tests.Infrastructure;

namespace Easel.Cli.Tests;

[Collection(UsesEaselServer.Name)]
public sealed class AccountVerbTests(EaselServer server)
{
    [Fact]
    public async Task Accounts_create_prints_the_account_id_the_key_once_and_the_webhook_secret()
    {
        var run = await server.RunAsync("accounts", "create", "Studio North", "--credits", "12.5");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Stderr);
        var lines = run.Stdout.Split('\n', StringSplitOptions.TrimEntries);
        var key = lines[Array.IndexOf(lines, "API key (shown only now; store it safely):") + 1];
        var secret = lines[Array.IndexOf(lines, "Webhook secret (verifies callback signatures):") + 1];
        Assert.Contains("Studio North", run.Stdout);
        Assert.Contains("12.5", run.Stdout);
        Assert.NotEmpty(secret);

        // The printed key is the real one: it reads its own account, whose id and secret the create printed.
        var own = await server.RunWithKeyAsync(key, "account", "--json");
        Assert.True(own.ExitCode == 0, own.ToString());
        var account = own.Json.RootElement;
        Assert.Contains(account.GetProperty("account_id").GetString()!, run.Stdout);
        Assert.Equal(secret, account.GetProperty("webhook_secret").GetString());
        Assert.Equal(12.5m, account.GetProperty("balance").GetDecimal());
    }

    [Fact]
    public async Task Accounts_create_with_json_prints_the_server_answer_with_every_option_applied()
    {
        var run = await server.RunAsync("accounts", "create", "Scripted", "--json", "--group", "vip", "--unlimited", "--max-active", "3");

        Assert.True(run.ExitCode == 0, run.ToString());
        var created = run.Json.RootElement;
        Assert.StartsWith("acct_", created.GetProperty("account_id").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(created.GetProperty("api_key").GetString()));
        Assert.False(string.IsNullOrEmpty(created.GetProperty("webhook_secret").GetString()));
        Assert.Equal("vip", created.GetProperty("group").GetString());
        Assert.True(created.GetProperty("unlimited").GetBoolean());

        var shown = await server.RunAsync("accounts", "show", created.GetProperty("account_id").GetString()!, "--json");
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Equal(3, shown.Json.RootElement.GetProperty("max_active_tasks").GetInt32());
    }

    [Fact]
    public async Task Accounts_list_shows_every_account_in_a_table_and_as_json()
    {
        var (id, _, _) = await server.CreateAccountAsync("Listed Account", "--credits", "4");

        var table = await server.RunAsync("accounts", "list");
        var json = await server.RunAsync("accounts", "list", "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(id, table.Stdout);
        Assert.Contains("Listed Account", table.Stdout);
        Assert.True(json.ExitCode == 0, json.ToString());
        var listed = json.Json.RootElement.GetProperty("data").EnumerateArray().Single(a => a.GetProperty("account_id").GetString() == id);
        Assert.Equal(4m, listed.GetProperty("balance").GetDecimal());
    }

    [Fact]
    public async Task Accounts_show_prints_balance_group_webhook_secret_and_usage()
    {
        var (id, _, _) = await server.CreateAccountAsync("Shown", "--credits", "7.25");

        var run = await server.RunAsync("accounts", "show", id);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(id, run.Stdout);
        Assert.Contains("7.25", run.Stdout);
        Assert.Contains("Webhook secret:", run.Stdout);
        Assert.Contains("Tasks by state", run.Stdout);
        Assert.Contains("By model", run.Stdout);
    }

    [Fact]
    public async Task Accounts_show_of_an_unknown_account_exits_5_with_the_server_message_on_stderr()
    {
        var run = await server.RunAsync("accounts", "show", "acc_does_not_exist");

        Assert.Equal(5, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains("Account acc_does_not_exist was not found", run.Stderr);
    }

    [Fact]
    public async Task Accounts_create_with_negative_credits_is_an_invalid_request_exiting_7()
    {
        var run = await server.RunAsync("accounts", "create", "Negative", "--credits", "-1");

        Assert.Equal(7, run.ExitCode);
        Assert.Contains("credits", run.Stderr);
    }

    [Fact]
    public async Task Account_shows_the_callers_own_account_to_any_key()
    {
        var (id, key, _) = await server.CreateAccountAsync("Own Account", "--credits", "2");

        var run = await server.RunWithKeyAsync(key, "account");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(id, run.Stdout);
        Assert.Contains("Own Account", run.Stdout);
    }

    [Fact]
    public async Task An_admin_verb_with_a_key_that_is_not_an_admin_key_exits_4()
    {
        var (_, key, _) = await server.CreateAccountAsync("Not Admin");

        var run = await server.RunWithKeyAsync(key, "accounts", "list");

        Assert.Equal(4, run.ExitCode);
        Assert.NotEmpty(run.Stderr);
    }
}
