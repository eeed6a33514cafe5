using System.Text.Json;
using Easel.Core.Operations;
using Easel.Server.Http;

namespace Easel.Server.Dialects.Classic;

/// <summary>
/// Finds each field of a classic create body, in either envelope: flat {"model", "jobId", ...} or
/// wrapped {"model", "input": [{"params": {...}}]}.
/// </summary>
internal static class ClassicRequestReader
{
    public static (CreateRequestFields? Fields, IResult? Refusal) Read(JsonElement body)
    {
        var parameters = body;
        var input = body.Property("input");
        if (input is { ValueKind: not JsonValueKind.Null })
        {
            if (input.Value.ValueKind != JsonValueKind.Array || input.Value.GetArrayLength() != 1
                || input.Value[0].Property("params") is not { ValueKind: JsonValueKind.Object } wrapped)
            {
                return (null, ClassicErrors.Error(400, ClassicErrorCodes.GatewayBadRequest,
                    "input must be an array of one object {\"params\": {...}}"));
            }
            parameters = wrapped;
        }

        var model = body.Property("model") ?? parameters.Property("model");
        if (model is not { ValueKind: JsonValueKind.String } || !ClassicModels.TryGetKind(model.Value.GetString()!, out var kind))
        {
            return (null, ClassicErrors.Error(400, ClassicErrorCodes.GatewayBadRequest,
                model is null ? "model is required" : $"Unknown model; supported: {string.Join(", ", ClassicModels.Names)}"));
        }

        return (new CreateRequestFields(
            kind,
            Prompt: parameters.Property(NameOf(RequestField.Prompt)),
            ImageUrl: parameters.Property(NameOf(RequestField.ImageUrl)),
            Canvas: parameters.Property(NameOf(RequestField.Canvas)),
            Position: parameters.Property(NameOf(RequestField.Position)),
            Mask: parameters.Property(NameOf(RequestField.Mask)),
            TaskId: parameters.Property(NameOf(RequestField.TaskId)),
            ImageNumber: parameters.Property(NameOf(RequestField.ImageNumber)),
            Mode: parameters.Property(NameOf(RequestField.Mode)),
            Speed: parameters.Property(NameOf(RequestField.Speed)),
            Callback: parameters.Property(NameOf(RequestField.Callback)),
            OutputFormat: parameters.Property(NameOf(RequestField.OutputFormat))), null);
    }

    /// <summary>A field's name in a classic body (also what the document's error table names).</summary>
    public static string NameOf(RequestField field) => field switch
    {
        RequestField.Prompt => "remixPrompt",
        RequestField.ImageUrl => "imgUrl",
        RequestField.Canvas => "canvas",
        RequestField.Position => "imgPos",
        RequestField.Mask => "mask",
        RequestField.TaskId => "jobId",
        RequestField.ImageNumber => "imageNo",
        RequestField.Mode => "mode",
        RequestField.Speed => "speed",
        RequestField.Callback => "callback",
        RequestField.OutputFormat => "outputFormat",
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };
}
