using System.Text.Json.Serialization;
using Easel.Core.Engines;
using Easel.Core.Models;
using Easel.Core.Operations;
using Easel.Core.Pricing;

namespace Easel.Server.Models;

/// <summary>GET /v1/models (and the classic GET /model/v1/models): an OpenAI-style list of every model of the catalog.</summary>
internal sealed record ModelListView(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] IReadOnlyList<ModelView> Data)
{
    public const string ListObject = "list";
}

/// <param name="Id">The unified name (OpenAI's list names a model by its id).</param>
/// <param name="Prices">Credits per call at each speed the model takes, for the caller's price group.</param>
/// <param name="Available">Whether some engine on this server serves the model; when false, a create answers model_not_available.</param>
/// <param name="Engines">The engines that serve it here (empty when none does).</param>
/// <param name="FollowsPrompts">Whether one of those engines reads prompts (the local engine does not).</param>
internal sealed record ModelView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("unified_name")] string UnifiedName,
    [property: JsonPropertyName("classic_name")] string ClassicName,
    [property: JsonPropertyName("operation")] string Operation,
    [property: JsonPropertyName("category")] string Category,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("image_count")] int ImageCount,
    [property: JsonPropertyName("prices")] IReadOnlyDictionary<string, decimal> Prices,
    [property: JsonPropertyName("available")] bool Available,
    [property: JsonPropertyName("engines")] IReadOnlyList<string> Engines,
    [property: JsonPropertyName("follows_prompts")] bool FollowsPrompts,
    [property: JsonPropertyName("variants")] IReadOnlyList<ModelVariantView> Variants,
    [property: JsonPropertyName("fields")] IReadOnlyList<ModelFieldView> Fields)
{
    public const string ModelObject = "model";

    public static ModelView From(ModelEntry model, PriceTable prices, EngineDirectory engines, string group)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(engines);
        var serving = engines.Serving(model.Capability);
        return new ModelView(
            model.UnifiedName, ModelObject, model.UnifiedName, model.ClassicName, model.Operation,
            model.Category.ToString().ToLowerInvariant(), model.Summary, model.ImageCount,
            PricesOf(model, null, prices, group), serving.Count > 0, serving.Select(e => e.Name).ToList(),
            serving.Any(e => e.FollowsPrompts),
            model.Variants.Select(v =>
            {
                var by = engines.Serving(v.Capability);
                return new ModelVariantView(v.Name, PricesOf(model, v, prices, group), by.Count > 0, by.Select(e => e.Name).ToList());
            }).ToList(),
            model.Fields.Select(ModelFieldView.From).ToList());
    }

    private static Dictionary<string, decimal> PricesOf(ModelEntry model, ModelVariant? variant, PriceTable prices, string group) =>
        model.Speeds.ToDictionary(s => s.ToString().ToLowerInvariant(), s => prices.ListCredits(model, variant, s, group));
}

/// <summary>
/// One field of a model as a form needs it (the studio builds its operation panel from these): its unified name and
/// place, whether it is required, its choices and default, its bounds. The bounds are OperationLimits', the same the
/// parser enforces; a field without a number range (a mask, a URL) says so by having none.
/// </summary>
internal sealed record ModelFieldView(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("place")] string Place,
    [property: JsonPropertyName("classic_name")] string ClassicName,
    [property: JsonPropertyName("required")] bool Required,
    [property: JsonPropertyName("choices")] IReadOnlyList<string>? Choices,
    [property: JsonPropertyName("default")] string? Default,
    [property: JsonPropertyName("min")] decimal? Min,
    [property: JsonPropertyName("max")] decimal? Max)
{
    public static ModelFieldView From(ModelField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var choices = field.Choices?.In(classic: false);
        var (min, max) = field.Field switch
        {
            RequestField.Prompt => (OperationLimits.PromptMinLength, OperationLimits.PromptMaxLength),
            RequestField.ImageNumber => (0, OperationLimits.ImageNumberMax),
            RequestField.Canvas => (OperationLimits.CanvasMinSide, OperationLimits.CanvasMaxSide),
            RequestField.Position => (OperationLimits.PlacementMinSide, OperationLimits.PlacementMaxSide),
            RequestField.Scale when field.Range is { } range => (range.Min, range.Max),
            _ => ((decimal?)null, (decimal?)null),
        };
        return new ModelFieldView(FieldNames.Unified(field.Field), field.UnifiedPath, field.ClassicName, field.Required,
            choices?.Select(c => c.Unified!).ToList(),
            choices?.FirstOrDefault(c => c.Value == field.Choices!.Default)?.Unified,
            min, max);
    }
}

/// <summary>A priced variant a request's options select (upscale's creative type), with its own availability.</summary>
internal sealed record ModelVariantView(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("prices")] IReadOnlyDictionary<string, decimal> Prices,
    [property: JsonPropertyName("available")] bool Available,
    [property: JsonPropertyName("engines")] IReadOnlyList<string> Engines);

internal static class ModelList
{
    public static ModelListView For(PriceTable prices, EngineDirectory engines, string group) =>
        new(ModelListView.ListObject, ModelCatalog.All.Select(m => ModelView.From(m, prices, engines, group)).ToList());

    /// <summary>The speeds' names as the lists write them, for the documents.</summary>
    public static IEnumerable<string> SpeedNames => Enum.GetValues<Speed>().Select(s => s.ToString().ToLowerInvariant());
}
