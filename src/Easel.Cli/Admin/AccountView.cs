using System.Globalization;
using Easel.Cli.CommandLine;
using Spectre.Console;

namespace Easel.Cli.Admin;

/// <summary>An account and its usage as text: shared by <c>accounts show</c> and <c>account</c>.</summary>
internal static class AccountView
{
    public static string Balance(AccountWire account) =>
        account.Unlimited ? $"unlimited ({Output.Credits(account.Balance)})" : Output.Credits(account.Balance);

    public static void Write(Output output, AccountWire account)
    {
        output.Fields(
            ("Account", account.AccountId),
            ("Name", account.Name),
            ("Balance", Balance(account)),
            ("Group", account.Group),
            ("Max active tasks", account.MaxActiveTasks?.ToString(CultureInfo.InvariantCulture) ?? "no limit"),
            ("Admin", account.IsAdmin ? "yes" : "no"),
            ("Created", Output.Time(account.Created)));
        if (account.WebhookSecret is not null)
        {
            output.Line("Webhook secret:");
            output.Line(account.WebhookSecret);
        }
        if (account.Usage is not null)
        {
            output.Line("");
            WriteUsage(output, account.Usage);
        }
    }

    public static void WriteUsage(Output output, UsageWire usage)
    {
        var tasks = Output.Table("State", "Tasks");
        foreach (var (state, count) in usage.Tasks.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Output.AddRow(tasks, state, count.ToString(CultureInfo.InvariantCulture));
        }
        output.Console.Write(tasks.Title("Tasks by state"));

        var models = Output.Table("Model", "Tasks", "Credits charged");
        foreach (var m in usage.ByModel)
        {
            Output.AddRow(models, m.Model, m.Tasks.ToString(CultureInfo.InvariantCulture), Output.Credits(m.CreditsCharged));
        }
        output.Console.Write(models.Title("By model"));

        var days = Output.Table("Day", "Tasks", "Credits charged");
        foreach (var d in usage.ByDay)
        {
            Output.AddRow(days, d.Day, d.Tasks.ToString(CultureInfo.InvariantCulture), Output.Credits(d.CreditsCharged));
        }
        output.Console.Write(days.Title("By day (UTC)"));
    }
}
