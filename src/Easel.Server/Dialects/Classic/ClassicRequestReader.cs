using System.Text.Json;
using Easel.Core.Models;
using Easel.Core.Operations;
using Easel.Server.Http;

namespace Easel.Server.Dialects.Classic;

/// <summary>
/// Finds each field of a classic create body, in either envelope: flat {"model", "jobId", ...} or
/// wrapped {"model", "input": [{"params": {...}}]}. Which fields, and their names, are the model's catalog entry's.
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
        if (model is not { ValueKind: JsonValueKind.String } || !ModelCatalog.TryClassic(model.Value.GetString()!, out var entry))
        {
            return (null, ClassicErrors.Error(400, ClassicErrorCodes.GatewayBadRequest,
                model is null ? "model is required" : $"Unknown model; supported: {string.Join(", ", ModelCatalog.ClassicNames)}"));
        }

        var values = new Dictionary<RequestField, JsonElement>();
        foreach (var field in entry.Fields)
        {
            if (parameters.Property(field.ClassicName) is { } value)
            {
                values[field.Field] = value;
            }
        }
        return (new CreateRequestFields(entry, values), null);
    }
}
