using System.CommandLine;
using System.Globalization;
using System.Text.Json.Serialization;
using Easel.Cli.CommandLine;
using Spectre.Console;

namespace Easel.Cli.Models;

/// <summary><c>easel models</c>: GET /v1/models as a table: every model, its names, images, prices and whether this server serves it.</summary>
internal static class ModelsVerb
{
    public static void AddTo(RootCommand root, VerbRunner verbs)
    {
        var command = new Command("models", "List every model: both names, images per task, prices per speed, and the engines that serve it here");
        verbs.SetAction(command, async (context, cancellationToken) =>
        {
            var answer = await context.Client.GetAsync("v1/models", cancellationToken);
            if (context.Output.Json)
            {
                context.Output.Raw(answer.Raw);
                return;
            }
            var table = Output.Table("Model", "Classic", "Operation", "Category", "Images", "Credits", "Served by");
            foreach (var model in answer.Read<ModelListWire>().Data)
            {
                table.AddRow(
                    model.Id, model.ClassicName, model.Operation, model.Category, model.ImageCount.ToString(CultureInfo.InvariantCulture),
                    string.Join(", ", model.Prices.Select(p => $"{p.Key} {p.Value.ToString(CultureInfo.InvariantCulture)}")),
                    model.Available ? string.Join(", ", model.Engines) : "not available here");
            }
            context.Output.Console.Write(table);
        });
        root.Subcommands.Add(command);
    }
}

// GET /v1/models as the command line reads it (a client's copy of the public contract).

internal sealed record ModelListWire([property: JsonPropertyName("data")] IReadOnlyList<ModelWire> Data);

internal sealed record ModelWire(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("classic_name")] string ClassicName,
    [property: JsonPropertyName("operation")] string Operation,
    [property: JsonPropertyName("category")] string Category,
    [property: JsonPropertyName("image_count")] int ImageCount,
    [property: JsonPropertyName("prices")] IReadOnlyDictionary<string, decimal> Prices,
    [property: JsonPropertyName("available")] bool Available,
    [property: JsonPropertyName("engines")] IReadOnlyList<string> Engines);
