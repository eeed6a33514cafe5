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
            Prompt: parameters.Property("remixPrompt"),
            ImageUrl: parameters.Property("imgUrl"),
            Canvas: parameters.Property("canvas"),
            Position: parameters.Property("imgPos"),
            Mask: parameters.Property("mask"),
            TaskId: parameters.Property("jobId"),
            ImageNumber: parameters.Property("imageNo"),
            Mode: parameters.Property("mode"),
            Speed: parameters.Property("speed"),
            Callback: parameters.Property("callback"),
            OutputFormat: parameters.Property("outputFormat")), null);
    }
}
