using Easel.Core.Operations;

namespace Easel.Core.Models;

/// <summary>
/// Where each field is in each dialect: the classic dialect's flat camelCase names, the unified dialect's snake_case
/// places (top level or under model_params). The readers find fields here, the unified `param` of an error is the
/// same place, and a model that spells a field otherwise says so in its entry.
/// </summary>
public static class FieldNames
{
    public const string ModelParams = "model_params";

    public static string Classic(RequestField field) => field switch
    {
        RequestField.Prompt => "remixPrompt",
        RequestField.ImageUrl => "imgUrl",
        RequestField.Canvas => "canvas",
        RequestField.Position => "imgPos",
        RequestField.Mask => "mask",
        RequestField.TaskId => "jobId",
        RequestField.ImageNumber => "imageNo",
        RequestField.Mode => "mode",
        RequestField.Type => "type",
        RequestField.Scale => "scale",
        RequestField.Direction => "direction",
        RequestField.Speed => "speed",
        RequestField.Callback => "callback",
        RequestField.OutputFormat => "outputFormat",
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    /// <summary>Whether the unified dialect has the field at the top level of the body rather than in model_params.</summary>
    public static bool UnifiedTopLevel(RequestField field) => field is RequestField.Prompt or RequestField.ImageUrl or RequestField.Callback;

    /// <summary>The field's name in a unified body (at the top level or inside model_params).</summary>
    public static string Unified(RequestField field) => field switch
    {
        RequestField.Prompt => "prompt",
        RequestField.ImageUrl => "image_urls",
        RequestField.Callback => "callback_url",
        RequestField.Canvas => "canvas",
        RequestField.Position => "img_pos",
        RequestField.Mask => "mask",
        RequestField.TaskId => "task_id",
        RequestField.ImageNumber => "image_number",
        RequestField.Mode => "mode",
        RequestField.Type => "type",
        RequestField.Scale => "scale",
        RequestField.Direction => "direction",
        RequestField.Speed => "speed",
        RequestField.OutputFormat => "output_format",
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    public static string UnifiedPath(RequestField field) =>
        UnifiedTopLevel(field) ? Unified(field) : $"{ModelParams}.{Unified(field)}";
}
