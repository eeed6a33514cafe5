using System.Text.Json.Nodes;
using Easel.Core.Models;
using Easel.Core.Operations;

namespace Easel.Server.Tests.Catalog;

/// <summary>
/// Valid create bodies of every catalog model in both dialects, built from the entry's fields (a model added to the
/// catalog gets them without a line here), and the place of each field in them.
/// </summary>
public static class CatalogBodies
{
    public const string UnknownUnifiedTask = "task-unified-1700000000-nosuchtask";
    public const string UnknownClassicTask = "task-classic-1700000000-nosuchtask";

    public static JsonObject Valid(ModelEntry model, bool classic, string? taskId = null)
    {
        var body = new JsonObject { ["model"] = classic ? model.ClassicName : model.UnifiedName };
        foreach (var field in model.Fields.Where(f => f.Required || f.Field == RequestField.ImageNumber))
        {
            Set(body, model, field, classic, Value(field, classic, taskId ?? (classic ? UnknownClassicTask : UnknownUnifiedTask)));
        }
        return body;
    }

    /// <summary>The path of a field in a body ("model_params.scale", "imgPos").</summary>
    public static string PathOf(ModelField field, bool classic) => classic ? field.ClassicName : field.UnifiedPath;

    public static void Set(JsonObject body, ModelEntry model, ModelField field, bool classic, JsonNode? value) =>
        Infrastructure.TestBodies.Set(body, PathOf(field, classic), value);

    public static JsonNode Value(ModelField field, bool classic, string taskId) => field.Field switch
    {
        RequestField.Prompt => "a quiet harbour",
        RequestField.ImageUrl => classic ? "https://images.example.com/a.png" : new JsonArray("https://images.example.com/a.png"),
        RequestField.TaskId => taskId,
        RequestField.ImageNumber => 0,
        RequestField.Canvas => new JsonObject { ["width"] = 128, ["height"] = 128 },
        RequestField.Position => new JsonObject { ["width"] = 64, ["height"] = 64, ["x"] = 32, ["y"] = 32 },
        RequestField.Mask => field.MaskTarget == MaskTarget.Source
            ? JsonNode.Parse("""{"areas": [{"width": 500, "height": 500, "points": [100, 100, 100, 300, 300, 300, 300, 100]}]}""")!
            : JsonNode.Parse("""{"areas": [{"width": 100, "height": 100, "points": [30, 30, 30, 45, 45, 45, 45, 30]}]}""")!,
        RequestField.Scale => field.Range!.Min,
        _ when field.Choices is { } set => Spelling(set, set.Choices.Single(c => c.Value == set.Default), classic),
        _ => throw new ArgumentOutOfRangeException(nameof(field), field.Field, "no valid value for this field"),
    };

    public static JsonNode Spelling(ChoiceSet set, Choice choice, bool classic) =>
        classic && set.HasNumbers ? JsonValue.Create(choice.Classic!.Value) : JsonValue.Create(choice.Unified!);
}
