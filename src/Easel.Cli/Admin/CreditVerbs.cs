using System.CommandLine;
using System.Text.Json.Nodes;
using Easel.Cli.CommandLine;
using Easel.Cli.Http;

namespace Easel.Cli.Admin;

/// <summary><c>easel credits add</c>: a top-up or an adjustment, each a ledger row with its reason.</summary>
internal static class CreditVerbs
{
    public static void AddTo(RootCommand root, VerbRunner verbs)
    {
        var credits = new Command("credits", "Top up or adjust an account's balance (admin key)");
        credits.Subcommands.Add(Add(verbs));
        root.Subcommands.Add(credits);
    }

    private static Command Add(VerbRunner verbs)
    {
        var id = new Argument<string>("account-id") { Description = "Id of the account" };
        var amount = new Argument<decimal>("amount")
        {
            Description = "Credits to add, up to 6 decimals; negative adjusts down (refused if it would go below zero)",
        };
        var reason = new Option<string?>("--reason") { Description = "Why, kept on the ledger row", HelpName = "text" };
        var command = new Command("add", "Add credits to an account, or take them away with a negative amount") { id, amount, reason };
        verbs.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.Parse;
            var body = new JsonObject { ["amount"] = parse.GetValue(amount) };
            AccountVerbs.AddIfSet(body, "reason", parse.GetValue(reason));
            var answer = await context.Client.PostAsync(
                $"admin/accounts/{EaselClient.Segment(parse.GetRequiredValue(id))}/credits", body, cancellationToken);
            if (context.Output.Json)
            {
                context.Output.Raw(answer.Raw);
                return;
            }
            var adjusted = answer.Read<AdjustmentWire>();
            context.Output.Fields(
                ("Account", adjusted.AccountId),
                ("Amount", (adjusted.Amount > 0 ? "+" : "") + Output.Credits(adjusted.Amount)),
                ("Balance", Output.Credits(adjusted.Balance)));
        });
        return command;
    }
}
