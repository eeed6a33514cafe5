using System.Text.Json;
using Easel.Core.Models;
using Easel.Core.Operations;
using Easel.Server.Http;

namespace Easel.Server.Dialects.Unified;

/// <summary>
/// Finds each field of a unified create body at its place (top level or model_params, as the catalog's field names
/// say); which fields a model has is its catalog entry's, and the rules are the shared parser's.
/// </summary>
internal static class UnifiedRequestReader
{
    /// <summary>The fields, or a refusal already shaped as a unified 400.</summary>
    public static (CreateRequestFields? Fields, IResult? Refusal) Read(JsonElement body)
    {
        var model = body.Property("model");
        if (model is null || model.Value.ValueKind == JsonValueKind.Null)
        {
            return (null, UnifiedErrors.InvalidRequest("model is required", "model"));
        }
        if (model.Value.ValueKind != JsonValueKind.String || !ModelCatalog.TryUnified(model.Value.GetString()!, out var entry))
        {
            return (null, UnifiedErrors.InvalidRequest(
                $"Unknown model; supported: {string.Join(", ", ModelCatalog.UnifiedNames)}", "model"));
        }

        var parameters = body.Property(FieldNames.ModelParams);
        if (parameters is { ValueKind: not JsonValueKind.Object and not JsonValueKind.Null })
        {
            return (null, UnifiedErrors.InvalidRequest("model_params must be an object", FieldNames.ModelParams));
        }
        var p = parameters ?? default;

        var values = new Dictionary<RequestField, JsonElement>();
        foreach (var field in entry.Fields)
        {
            var name = FieldNames.Unified(field.Field);
            if (field.Field == RequestField.ImageUrl)
            {
                var urls = body.Property(name);
                if (urls is { ValueKind: not JsonValueKind.Array and not JsonValueKind.Null })
                {
                    return (null, UnifiedErrors.InvalidRequest("image_urls must be an array with one URL", name));
                }
                if (urls is { ValueKind: JsonValueKind.Array } list)
                {
                    // The seed's schema: maxItems 1. A second URL would be silently ignored, so it is refused instead.
                    if (list.GetArrayLength() > 1)
                    {
                        return (null, UnifiedErrors.InvalidRequest("image_urls takes exactly one URL", name));
                    }
                    if (list.GetArrayLength() == 1)
                    {
                        values[field.Field] = list[0];
                    }
                }
                continue;
            }
            if ((FieldNames.UnifiedTopLevel(field.Field) ? body.Property(name) : p.Property(name)) is { } value)
            {
                values[field.Field] = value;
            }
        }
        return (new CreateRequestFields(entry, values), null);
    }
}
