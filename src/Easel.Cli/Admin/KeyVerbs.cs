using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json.Nodes;
using Easel.Cli.CommandLine;
using Easel.Cli.Http;

namespace Easel.Cli.Admin;

/// <summary><c>easel keys create|list|set|revoke</c>: an account's keys, their model lists and rates (admin key).</summary>
internal static class KeyVerbs
{
    public static void AddTo(RootCommand root, VerbRunner verbs)
    {
        var keys = new Command("keys", "Create, list, change and revoke API keys (admin key)");
        keys.Subcommands.Add(Create(verbs));
        keys.Subcommands.Add(List(verbs));
        keys.Subcommands.Add(Set(verbs));
        keys.Subcommands.Add(Revoke(verbs));
        root.Subcommands.Add(keys);
    }

    private static Command Create(VerbRunner verbs)
    {
        var account = new Argument<string>("account-id") { Description = "Account the key belongs to" };
        var name = new Option<string?>("--name") { Description = "Name of the key (default \"key\")", HelpName = "name" };
        var models = ModelsOption("Models the key may use, comma-separated, in either dialect's names (default: all)");
        var rate = RateOption();
        var burst = BurstOption();
        var command = new Command("create", "Create a key; prints its secret, shown only this once") { account, name, models, rate, burst };
        verbs.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.Parse;
            var body = new JsonObject();
            AccountVerbs.AddIfSet(body, "name", parse.GetValue(name));
            if (ModelList(parse.GetValue(models)) is { } list)
            {
                body["models"] = list;
            }
            AccountVerbs.AddIfSet(body, "rate_per_minute", parse.GetValue(rate));
            AccountVerbs.AddIfSet(body, "burst", parse.GetValue(burst));
            var answer = await context.Client.PostAsync(
                $"admin/accounts/{EaselClient.Segment(parse.GetRequiredValue(account))}/keys", body, cancellationToken);
            if (context.Output.Json)
            {
                context.Output.Raw(answer.Raw);
                return;
            }
            var key = answer.Read<KeyWire>();
            WriteKey(context.Output, key);
            context.Output.Line("");
            context.Output.Line("API key (shown only now; store it safely):");
            context.Output.Line(key.ApiKey ?? "-");
        });
        return command;
    }

    private static Command List(VerbRunner verbs)
    {
        var account = new Argument<string>("account-id") { Description = "Id of the account" };
        var command = new Command("list", "List an account's keys, revoked ones included (secrets are never shown again)") { account };
        verbs.SetAction(command, async (context, cancellationToken) =>
        {
            var answer = await context.Client.GetAsync(
                $"admin/accounts/{EaselClient.Segment(context.Parse.GetRequiredValue(account))}/keys", cancellationToken);
            if (context.Output.Json)
            {
                context.Output.Raw(answer.Raw);
                return;
            }
            var table = Output.Table("Key", "Name", "Models", "Rate/min", "Burst", "Created", "Revoked");
            foreach (var k in answer.Read<ListWire<KeyWire>>().Data)
            {
                Output.AddRow(table, k.KeyId, k.Name, Models(k), Number(k.RatePerMinute), Number(k.Burst), Output.Time(k.Created),
                    k.Revoked is { } revoked ? Output.Time(revoked) : "");
            }
            context.Output.Console.Write(table);
        });
        return command;
    }

    private static Command Set(VerbRunner verbs)
    {
        var key = new Argument<string>("key-id") { Description = "Id of the key" };
        var models = ModelsOption("Replace the key's model list, comma-separated");
        var allModels = new Option<bool>("--all-models") { Description = "Let the key use every model" };
        var rate = RateOption();
        var noRate = new Option<bool>("--no-rate") { Description = "Remove the key's rate limit (and its burst)" };
        var burst = BurstOption();
        var command = new Command("set", "Change a key's models or rate; what is not given stays as it is")
        {
            key, models, allModels, rate, noRate, burst,
        };
        command.Validators.Add(result =>
        {
            Exclusive(result, models, allModels);
            Exclusive(result, rate, noRate);
            Exclusive(result, burst, noRate);
            if (new Option[] { models, allModels, rate, noRate, burst }.All(o => !Given(result, o)))
            {
                result.AddError("Nothing to change: give --models, --all-models, --rate, --no-rate or --burst");
            }
        });
        verbs.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.Parse;
            // PATCH semantics of the server: a field present replaces the value (null clears it), an absent one keeps it.
            var body = new JsonObject();
            if (parse.GetValue(allModels))
            {
                body["models"] = null;
            }
            else if (ModelList(parse.GetValue(models)) is { } list)
            {
                body["models"] = list;
            }
            if (parse.GetValue(noRate))
            {
                body["rate_per_minute"] = null;
                body["burst"] = null;
            }
            AccountVerbs.AddIfSet(body, "rate_per_minute", parse.GetValue(rate));
            AccountVerbs.AddIfSet(body, "burst", parse.GetValue(burst));
            var answer = await context.Client.PatchAsync($"admin/keys/{EaselClient.Segment(parse.GetRequiredValue(key))}", body, cancellationToken);
            if (context.Output.Json)
            {
                context.Output.Raw(answer.Raw);
                return;
            }
            WriteKey(context.Output, answer.Read<KeyWire>());
        });
        return command;
    }

    private static Command Revoke(VerbRunner verbs)
    {
        var key = new Argument<string>("key-id") { Description = "Id of the key" };
        var command = new Command("revoke", "Revoke a key: refused (401) from the next request on") { key };
        verbs.SetAction(command, async (context, cancellationToken) =>
        {
            var answer = await context.Client.PostAsync($"admin/keys/{EaselClient.Segment(context.Parse.GetRequiredValue(key))}/revoke", null, cancellationToken);
            if (context.Output.Json)
            {
                context.Output.Raw(answer.Raw);
                return;
            }
            WriteKey(context.Output, answer.Read<KeyWire>());
        });
        return command;
    }

    private static void WriteKey(Output output, KeyWire key) => output.Fields(
        ("Key", key.KeyId),
        ("Account", key.AccountId),
        ("Name", key.Name),
        ("Models", Models(key)),
        ("Rate/min", key.RatePerMinute is null ? "no limit" : Number(key.RatePerMinute)),
        ("Burst", Number(key.Burst)),
        ("Created", Output.Time(key.Created)),
        ("Revoked", key.Revoked is { } revoked ? Output.Time(revoked) : "no"));

    private static Option<string?> ModelsOption(string description) =>
        new("--models") { Description = description, HelpName = "m1,m2" };

    private static Option<int?> RateOption() =>
        new("--rate") { Description = "Requests per minute the key may make", HelpName = "n" };

    private static Option<int?> BurstOption() =>
        new("--burst") { Description = "Requests the key may make at once before the rate applies", HelpName = "n" };

    /// <summary>The names as given; the server knows the models and refuses unknown ones with the list of valid names.</summary>
    private static JsonArray? ModelList(string? value) =>
        value is null
            ? null
            : new JsonArray(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(m => (JsonNode?)JsonValue.Create(m)).ToArray());

    private static void Exclusive(CommandResult result, Option a, Option b)
    {
        if (Given(result, a) && Given(result, b))
        {
            result.AddError($"{a.Name} and {b.Name} cannot be used together");
        }
    }

    private static bool Given(CommandResult result, Option option) => result.GetResult(option) is { Implicit: false };

    private static string Models(KeyWire key) => key.Models is null ? "all" : string.Join(", ", key.Models);

    private static string Number(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";
}
