using System.CommandLine;
using System.Text.Json.Nodes;
using Easel.Cli.CommandLine;
using Easel.Cli.Http;

namespace Easel.Cli.Admin;

/// <summary><c>easel accounts create|list|show</c>: admin keys only.</summary>
internal static class AccountVerbs
{
    public static void AddTo(RootCommand root, VerbRunner verbs)
    {
        var accounts = new Command("accounts", "Create, list and show accounts (admin key)");
        accounts.Subcommands.Add(Create(verbs));
        accounts.Subcommands.Add(List(verbs));
        accounts.Subcommands.Add(Show(verbs));
        root.Subcommands.Add(accounts);
    }

    private static Command Create(VerbRunner verbs)
    {
        var name = new Argument<string>("name") { Description = "Name of the account" };
        var credits = new Option<decimal?>("--credits") { Description = "Opening balance in credits (default 0)", HelpName = "credits" };
        var group = new Option<string?>("--group") { Description = "Pricing group (default: the default group)", HelpName = "group" };
        var unlimited = new Option<bool>("--unlimited") { Description = "Never refused for lack of credits; its tasks still write ledger rows" };
        var maxActive = new Option<int?>("--max-active") { Description = "Most tasks pending or processing at once", HelpName = "n" };
        var command = new Command("create", "Create an account with its first key; prints the account id, the key (shown once) and the webhook secret")
        {
            name, credits, group, unlimited, maxActive,
        };
        verbs.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.Parse;
            var body = new JsonObject { ["name"] = parse.GetRequiredValue(name) };
            AddIfSet(body, "credits", parse.GetValue(credits));
            AddIfSet(body, "group", parse.GetValue(group));
            if (parse.GetValue(unlimited))
            {
                body["unlimited"] = true;
            }
            AddIfSet(body, "max_active_tasks", parse.GetValue(maxActive));
            var answer = await context.Client.PostAsync("admin/accounts", body, cancellationToken);
            if (context.Output.Json)
            {
                context.Output.Raw(answer.Raw);
                return;
            }
            var created = answer.Read<CreatedAccountWire>();
            var output = context.Output;
            output.Fields(
                ("Account", created.AccountId),
                ("Name", created.Name),
                ("Balance", created.Unlimited ? "unlimited" : Output.Credits(created.Balance)),
                ("Group", created.Group),
                ("Key id", created.KeyId));
            output.Line("");
            output.Line("API key (shown only now; store it safely):");
            output.Line(created.ApiKey);
            output.Line("Webhook secret (verifies callback signatures):");
            output.Line(created.WebhookSecret);
        });
        return command;
    }

    private static Command List(VerbRunner verbs)
    {
        var command = new Command("list", "List every account with its balance");
        verbs.SetAction(command, async (context, cancellationToken) =>
        {
            var answer = await context.Client.GetAsync("admin/accounts", cancellationToken);
            if (context.Output.Json)
            {
                context.Output.Raw(answer.Raw);
                return;
            }
            var list = answer.Read<ListWire<AccountWire>>();
            var table = Output.Table("Account", "Name", "Balance", "Group", "Max active", "Admin", "Created");
            foreach (var a in list.Data)
            {
                Output.AddRow(table, a.AccountId, a.Name, AccountView.Balance(a), a.Group,
                    a.MaxActiveTasks?.ToString(System.Globalization.CultureInfo.InvariantCulture), a.IsAdmin ? "yes" : "", Output.Time(a.Created));
            }
            context.Output.Console.Write(table);
        });
        return command;
    }

    private static Command Show(VerbRunner verbs)
    {
        var id = new Argument<string>("account-id") { Description = "Id of the account" };
        var command = new Command("show", "Show an account: balance, group, webhook secret and usage") { id };
        verbs.SetAction(command, async (context, cancellationToken) =>
        {
            var answer = await context.Client.GetAsync($"admin/accounts/{EaselClient.Segment(context.Parse.GetRequiredValue(id))}", cancellationToken);
            if (context.Output.Json)
            {
                context.Output.Raw(answer.Raw);
                return;
            }
            AccountView.Write(context.Output, answer.Read<AccountWire>());
        });
        return command;
    }

    /// <summary>An option the user did not give is left out of the body, so the server's default applies.</summary>
    internal static void AddIfSet(JsonObject body, string name, JsonNode? value)
    {
        if (value is not null)
        {
            body[name] = value;
        }
    }
}
