using Easel.Cli.Tests.Infrastructure;

namespace Easel.Cli.Tests;

[Collection(UsesEaselServer.Name)]
public sealed class CreditAndLedgerVerbTests(EaselServer server)
{
    [Fact]
    public async Task Credits_add_tops_up_and_prints_the_new_balance()
    {
        var (id, _, _) = await server.CreateAccountAsync("Top Up", "--credits", "1");

        var run = await server.RunAsync("credits", "add", id, "8.1", "--reason", "invoice 42");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("+8.1", run.Stdout);
        Assert.Contains("9.1", run.Stdout);
    }

    [Fact]
    public async Task A_negative_amount_adjusts_the_balance_down()
    {
        var (id, _, _) = await server.CreateAccountAsync("Adjust Down", "--credits", "10");

        var run = await server.RunAsync("credits", "add", id, "-2.5", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(-2.5m, run.Json.RootElement.GetProperty("amount").GetDecimal());
        Assert.Equal(7.5m, run.Json.RootElement.GetProperty("balance").GetDecimal());
    }

    [Fact]
    public async Task An_adjustment_below_zero_is_refused_with_exit_6_and_the_balance_is_unchanged()
    {
        var (id, _, _) = await server.CreateAccountAsync("No Overdraft", "--credits", "3");

        var run = await server.RunAsync("credits", "add", id, "-3.000001");

        Assert.Equal(6, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains("below zero", run.Stderr);
        var shown = await server.RunAsync("accounts", "show", id, "--json");
        Assert.Equal(3m, shown.Json.RootElement.GetProperty("balance").GetDecimal());
    }

    [Fact]
    public async Task Credits_add_to_an_unknown_account_exits_5()
    {
        var run = await server.RunAsync("credits", "add", "acc_nobody", "5");

        Assert.Equal(5, run.ExitCode);
        Assert.Contains("acc_nobody", run.Stderr);
    }

    [Fact]
    public async Task Credits_add_with_an_amount_that_is_not_a_number_is_a_usage_error()
    {
        var run = await server.RunAsync("credits", "add", "acc_any", "lots");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains("lots", run.Stderr);
    }

    [Fact]
    public async Task The_ledger_lists_every_movement_with_its_reason_newest_first()
    {
        var (id, _, _) = await server.CreateAccountAsync("Ledgered", "--credits", "5");
        Assert.Equal(0, (await server.RunAsync("credits", "add", id, "2", "--reason", "goodwill")).ExitCode);
        Assert.Equal(0, (await server.RunAsync("credits", "add", id, "-1", "--reason", "correction")).ExitCode);

        var table = await server.RunAsync("ledger", id);
        var json = await server.RunAsync("ledger", id, "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("goodwill", table.Stdout);
        Assert.Contains("correction", table.Stdout);
        Assert.Contains("+2", table.Stdout);
        var ledger = json.Json.RootElement;
        Assert.Equal(6m, ledger.GetProperty("balance").GetDecimal());
        var rows = ledger.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal("correction", rows[0].GetProperty("reason").GetString());
        Assert.Equal(6m, rows.Sum(r => r.GetProperty("amount").GetDecimal()));
    }

    [Fact]
    public async Task The_ledger_pages_back_with_limit_and_before()
    {
        var (id, _, _) = await server.CreateAccountAsync("Paged", "--credits", "1");
        foreach (var amount in new[] { "1", "2", "3" })
        {
            Assert.Equal(0, (await server.RunAsync("credits", "add", id, amount, "--reason", "r" + amount)).ExitCode);
        }

        var first = await server.RunAsync("ledger", id, "--limit", "2", "--json");
        var firstRows = first.Json.RootElement.GetProperty("data").EnumerateArray().ToList();
        var older = await server.RunAsync("ledger", id, "--limit", "2", "--before", firstRows[^1].GetProperty("id").GetInt64().ToString(), "--json");
        var text = await server.RunAsync("ledger", id, "--limit", "2");

        Assert.Equal(["r3", "r2"], firstRows.Select(r => r.GetProperty("reason").GetString()));
        var olderRows = older.Json.RootElement.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal("r1", olderRows[0].GetProperty("reason").GetString());
        Assert.Contains($"--before {firstRows[^1].GetProperty("id").GetInt64()}", text.Stdout);
    }

    [Fact]
    public async Task Usage_prints_tasks_by_state_by_model_and_by_day()
    {
        var (id, _, _) = await server.CreateAccountAsync("Usage");

        var table = await server.RunAsync("usage", id);
        var json = await server.RunAsync("usage", id, "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("Tasks by state", table.Stdout);
        Assert.Contains("By day (UTC)", table.Stdout);
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Equal(System.Text.Json.JsonValueKind.Array, json.Json.RootElement.GetProperty("by_model").ValueKind);
    }

    [Fact]
    public async Task Usage_and_ledger_show_a_failed_task_and_its_refund()
    {
        var (id, key, _) = await server.CreateAccountAsync("Worked", "--credits", "100");
        var taskId = await TestTasks.CreateFailingTaskAsync(server.Url, key);

        // The worker fails the task on its own schedule; there is no signal to await from outside the server.
        CliRun usage;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await Task.Delay(100);
            usage = await server.RunAsync("usage", id, "--json");
        }
        while (!usage.Json.RootElement.GetProperty("tasks").TryGetProperty("failed", out _) && DateTime.UtcNow < deadline);
        var table = await server.RunAsync("usage", id);
        var ledger = await server.RunAsync("ledger", id, "--json");

        Assert.Equal(1, usage.Json.RootElement.GetProperty("tasks").GetProperty("failed").GetInt32());
        Assert.Contains("failed", table.Stdout);
        var rows = ledger.Json.RootElement.GetProperty("data").EnumerateArray().Where(r => r.TryGetProperty("task_id", out var t) && t.GetString() == taskId).ToList();
        Assert.Equal(["refund", "reserve"], rows.Select(r => r.GetProperty("kind").GetString()));
        Assert.Equal(100m, ledger.Json.RootElement.GetProperty("balance").GetDecimal());
        var text = await server.RunAsync("ledger", id);
        Assert.Contains(taskId, text.Stdout);
    }

    [Fact]
    public async Task Usage_of_an_unknown_account_exits_5()
    {
        var run = await server.RunAsync("usage", "acc_nobody");

        Assert.Equal(5, run.ExitCode);
    }
}
