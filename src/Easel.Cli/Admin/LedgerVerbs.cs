using System.CommandLine;
using System.Globalization;
using Easel.Cli.CommandLine;
using Easel.Cli.Http;

namespace Easel.Cli.Admin;

/// <summary><c>easel ledger</c>, <c>easel usage</c> (admin key) and <c>easel account</c> (any key: its own account).</summary>
internal static class LedgerVerbs
{
    public static void AddTo(RootCommand root, VerbRunner verbs)
    {
        root.Subcommands.Add(Ledger(verbs));
        root.Subcommands.Add(Usage(verbs));
        root.Subcommands.Add(OwnAccount(verbs));
    }

    private static Command Ledger(VerbRunner verbs)
    {
        var account = new Argument<string>("account-id") { Description = "Id of the account" };
        var limit = new Option<int?>("--limit") { Description = "Rows to show, newest first (server default 100, at most 1000)", HelpName = "n" };
        var before = new Option<long?>("--before") { Description = "Only rows older than this row id (to page back)", HelpName = "id" };
        var command = new Command("ledger", "Show an account's ledger: every reserve, charge, refund, top-up and adjustment (admin key)")
        {
            account, limit, before,
        };
        verbs.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.Parse;
            var query = new List<string>();
            if (parse.GetValue(limit) is { } n)
            {
                query.Add($"limit={n.ToString(CultureInfo.InvariantCulture)}");
            }
            if (parse.GetValue(before) is { } id)
            {
                query.Add($"before={id.ToString(CultureInfo.InvariantCulture)}");
            }
            var path = $"admin/accounts/{EaselClient.Segment(parse.GetRequiredValue(account))}/ledger"
                + (query.Count == 0 ? "" : "?" + string.Join('&', query));
            var answer = await context.Client.GetAsync(path, cancellationToken);
            if (context.Output.Json)
            {
                context.Output.Raw(answer.Raw);
                return;
            }
            var ledger = answer.Read<LedgerWire>();
            var table = Output.Table("Id", "Time", "Kind", "Amount", "Task", "Reason");
            foreach (var e in ledger.Data)
            {
                Output.AddRow(table, e.Id.ToString(CultureInfo.InvariantCulture), Output.Time(e.Created), e.Kind,
                    (e.Amount > 0 ? "+" : "") + Output.Credits(e.Amount), e.TaskId, e.Reason);
            }
            context.Output.Console.Write(table);
            context.Output.Fields(("Account", ledger.AccountId), ("Balance", Output.Credits(ledger.Balance)));
            if (ledger.Data.Count > 0 && ledger.Data.Count == (parse.GetValue(limit) ?? 100))
            {
                context.Output.Line($"Older rows: --before {ledger.Data[^1].Id.ToString(CultureInfo.InvariantCulture)}");
            }
        });
        return command;
    }

    private static Command Usage(VerbRunner verbs)
    {
        var account = new Argument<string>("account-id") { Description = "Id of the account" };
        var command = new Command("usage", "Show an account's usage: tasks by state, credits by model and by day (admin key)") { account };
        verbs.SetAction(command, async (context, cancellationToken) =>
        {
            var answer = await context.Client.GetAsync(
                $"admin/accounts/{EaselClient.Segment(context.Parse.GetRequiredValue(account))}/usage", cancellationToken);
            if (context.Output.Json)
            {
                context.Output.Raw(answer.Raw);
                return;
            }
            AccountView.WriteUsage(context.Output, answer.Read<UsageWire>());
        });
        return command;
    }

    private static Command OwnAccount(VerbRunner verbs)
    {
        var command = new Command("account", "Show the account of the key in use: balance, group, webhook secret and usage (any key)");
        verbs.SetAction(command, async (context, cancellationToken) =>
        {
            var answer = await context.Client.GetAsync("v1/account", cancellationToken);
            if (context.Output.Json)
            {
                context.Output.Raw(answer.Raw);
                return;
            }
            AccountView.Write(context.Output, answer.Read<AccountWire>());
        });
        return command;
    }
}
