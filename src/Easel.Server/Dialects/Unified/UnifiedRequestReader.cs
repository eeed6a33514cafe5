using System.Text.Json;
using Easel.Core.Operations;
using Easel.Server.Http;

namespace Easel.Server.Dialects.Unified;

/// <summary>Finds each field of a unified create body at its place; the rules are the shared parser's.</summary>
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
        if (model.Value.ValueKind != JsonValueKind.String || !UnifiedModels.TryGetKind(model.Value.GetString()!, out var kind))
        {
            return (null, UnifiedErrors.InvalidRequest(
                $"Unknown model; supported: {string.Join(", ", UnifiedModels.Names)}", "model"));
        }

        var parameters = body.Property("model_params");
        if (parameters is { ValueKind: not JsonValueKind.Object and not JsonValueKind.Null })
        {
            return (null, UnifiedErrors.InvalidRequest("model_params must be an object", "model_params"));
        }
        var p = parameters ?? default;

        JsonElement? imageUrl = null;
        if (kind == OperationKind.UploadPaint)
        {
            var urls = body.Property("image_urls");
            if (urls is { ValueKind: not JsonValueKind.Array and not JsonValueKind.Null })
            {
                return (null, UnifiedErrors.InvalidRequest("image_urls must be an array with one URL", "image_urls"));
            }
            if (urls is { ValueKind: JsonValueKind.Array } list)
            {
                // The seed's schema: maxItems 1. A second URL would be silently ignored, so it is refused instead.
                if (list.GetArrayLength() > 1)
                {
                    return (null, UnifiedErrors.InvalidRequest("image_urls takes exactly one URL", "image_urls"));
                }
                imageUrl = list.GetArrayLength() == 1 ? list[0] : null;
            }
        }

        return (new CreateRequestFields(
            kind,
            Prompt: body.Property("prompt"),
            ImageUrl: imageUrl,
            Canvas: p.Property("canvas"),
            Position: p.Property("img_pos"),
            Mask: p.Property("mask"),
            TaskId: p.Property("task_id"),
            ImageNumber: p.Property("image_number"),
            Mode: p.Property("mode"),
            Speed: p.Property("speed"),
            Callback: body.Property("callback_url"),
            OutputFormat: p.Property("output_format")), null);
    }
}
