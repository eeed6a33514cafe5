using Easel.Core.Models;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Easel.Core.Operations;
using static Easel.Core.Operations.OperationLimits;

namespace Easel.Server.Dialects.Unified;

// The unified create body, one shape per model, for the OpenAPI document. UnifiedRequestReader reads the same
// names by hand (size first, then the shared parser); the rules and limits are OperationParser's and
// OperationLimits'. A test posts every documented example to the server, so a name here that the reader does not
// know shows up as a refused example.

[Description("A task of one of the four models, chosen by `model`")]
[JsonPolymorphic(TypeDiscriminatorPropertyName = "model")]
[JsonDerivedType(typeof(UnifiedUploadPaintRequest), ModelCatalog.UploadPaintUnified)]
[JsonDerivedType(typeof(UnifiedEditRequest), ModelCatalog.EditUnified)]
[JsonDerivedType(typeof(UnifiedInpaintRequest), ModelCatalog.InpaintUnified)]
[JsonDerivedType(typeof(UnifiedRemixRequest), ModelCatalog.RemixUnified)]
internal abstract record UnifiedCreateRequest : IRequestShape;

[Description("mj-v7-upload-paint: place an uploaded image on a canvas, repaint the masked areas and fill the rest")]
internal sealed record UnifiedUploadPaintRequest(
    [property: JsonPropertyName("prompt"), Required, StringLength(PromptMaxLength, MinimumLength = PromptMinLength), Description("Edit prompt")] string Prompt,
    [property: JsonPropertyName("image_urls"), Required, MinLength(1), MaxLength(1), Description("Input image URL (exactly one: an http(s) URL or the url of an upload from POST /v1/files)")] IReadOnlyList<Uri> ImageUrls,
    [property: JsonPropertyName("model_params"), Required, Description("Upload-paint parameters")] UnifiedUploadPaintParams ModelParams,
    [property: JsonPropertyName("callback_url"), MaxLength(CallbackUrlMaxLength), Description(UnifiedWireText.Callback)] Uri CallbackUrl) : UnifiedCreateRequest;

internal sealed record UnifiedUploadPaintParams(
    [property: JsonPropertyName("mask"), Required] MaskShape Mask,
    [property: JsonPropertyName("canvas"), Required] CanvasShape Canvas,
    [property: JsonPropertyName("img_pos"), Required] PlacementShape ImgPos,
    [property: JsonPropertyName("speed"), JsonConverter(typeof(WireEnumConverter<Speed>)), Description(UnifiedWireText.Speed)] Speed Speed = DefaultSpeed,
    [property: JsonPropertyName("output_format"), JsonConverter(typeof(WireEnumConverter<OutputFormat>)), Description(UnifiedWireText.OutputFormat)] OutputFormat OutputFormat = DefaultOutputFormat) : IRequestShape;

[Description("mj-v7-edit: the same as upload-paint, with the image taken from an earlier task's output; mask optional")]
internal sealed record UnifiedEditRequest(
    [property: JsonPropertyName("prompt"), Required, StringLength(PromptMaxLength, MinimumLength = PromptMinLength), Description("Edit prompt")] string Prompt,
    [property: JsonPropertyName("model_params"), Required, Description("Edit parameters")] UnifiedEditParams ModelParams,
    [property: JsonPropertyName("callback_url"), MaxLength(CallbackUrlMaxLength), Description(UnifiedWireText.Callback)] Uri CallbackUrl) : UnifiedCreateRequest;

internal sealed record UnifiedEditParams(
    [property: JsonPropertyName("task_id"), Required, StringLength(128, MinimumLength = 1), Description(UnifiedWireText.TaskId)] string TaskId,
    [property: JsonPropertyName("canvas"), Required] CanvasShape Canvas,
    [property: JsonPropertyName("img_pos"), Required] PlacementShape ImgPos,
    [property: JsonPropertyName("mask")] MaskShape Mask,
    [property: JsonPropertyName("image_number"), Range(0, ImageNumberMax), Description(UnifiedWireText.ImageNumber)] int ImageNumber = DefaultImageNumber,
    [property: JsonPropertyName("speed"), JsonConverter(typeof(WireEnumConverter<Speed>)), Description(UnifiedWireText.Speed)] Speed Speed = DefaultSpeed,
    [property: JsonPropertyName("output_format"), JsonConverter(typeof(WireEnumConverter<OutputFormat>)), Description(UnifiedWireText.OutputFormat)] OutputFormat OutputFormat = DefaultOutputFormat) : IRequestShape;

[Description("mj-v7-inpaint: repaint the masked region of an earlier output (vary region)")]
internal sealed record UnifiedInpaintRequest(
    [property: JsonPropertyName("prompt"), StringLength(PromptMaxLength, MinimumLength = PromptMinLength), Description("Prompt for the repainted region (optional)")] string Prompt,
    [property: JsonPropertyName("model_params"), Required, Description("Inpaint parameters")] UnifiedInpaintParams ModelParams,
    [property: JsonPropertyName("callback_url"), MaxLength(CallbackUrlMaxLength), Description(UnifiedWireText.Callback)] Uri CallbackUrl) : UnifiedCreateRequest;

internal sealed record UnifiedInpaintParams(
    [property: JsonPropertyName("task_id"), Required, StringLength(128, MinimumLength = 1), Description(UnifiedWireText.TaskId)] string TaskId,
    [property: JsonPropertyName("mask"), Required] InpaintMaskShape Mask,
    [property: JsonPropertyName("image_number"), Range(0, ImageNumberMax), Description(UnifiedWireText.ImageNumber)] int ImageNumber = DefaultImageNumber,
    [property: JsonPropertyName("speed"), JsonConverter(typeof(WireEnumConverter<Speed>)), Description(UnifiedWireText.Speed)] Speed Speed = DefaultSpeed,
    [property: JsonPropertyName("output_format"), JsonConverter(typeof(WireEnumConverter<OutputFormat>)), Description(UnifiedWireText.OutputFormat)] OutputFormat OutputFormat = DefaultOutputFormat) : IRequestShape;

[Description("mj-v7-remix: regenerate an earlier output under a new prompt, strongly or subtly")]
internal sealed record UnifiedRemixRequest(
    [property: JsonPropertyName("prompt"), Required, StringLength(PromptMaxLength, MinimumLength = PromptMinLength), Description("Remix prompt")] string Prompt,
    [property: JsonPropertyName("model_params"), Required, Description("Remix parameters")] UnifiedRemixParams ModelParams,
    [property: JsonPropertyName("callback_url"), MaxLength(CallbackUrlMaxLength), Description(UnifiedWireText.Callback)] Uri CallbackUrl) : UnifiedCreateRequest;

internal sealed record UnifiedRemixParams(
    [property: JsonPropertyName("task_id"), Required, StringLength(128, MinimumLength = 1), Description(UnifiedWireText.TaskId)] string TaskId,
    [property: JsonPropertyName("image_number"), Range(0, ImageNumberMax), Description(UnifiedWireText.ImageNumber)] int ImageNumber = DefaultImageNumber,
    [property: JsonPropertyName("mode"), JsonConverter(typeof(WireEnumConverter<RemixMode>)), Description("strong (default) moves shapes; subtle keeps the layout")] RemixMode Mode = DefaultRemixMode,
    [property: JsonPropertyName("speed"), JsonConverter(typeof(WireEnumConverter<Speed>)), Description(UnifiedWireText.Speed)] Speed Speed = DefaultSpeed,
    [property: JsonPropertyName("output_format"), JsonConverter(typeof(WireEnumConverter<OutputFormat>)), Description(UnifiedWireText.OutputFormat)] OutputFormat OutputFormat = DefaultOutputFormat) : IRequestShape;

internal static class UnifiedWireText
{
    public const string Callback = "HTTPS URL that receives the task's query response when it is completed, failed or cancelled "
        + "(after billing). Never a private address. Signed with Easel-Signature and, in the Standard Webhooks form, "
        + "webhook-id/webhook-timestamp/webhook-signature; retried 1 s, 2 s, 4 s after a failure.";
    public const string Speed = "fast (default) or turbo; turbo costs twice as much and is served first";
    public const string OutputFormat = "Encoding of the results: png (default, lossless), jpeg (quality 90, 4:2:0) or webp (lossy, quality 90)";
    public const string TaskId = "The id of an earlier completed task of the same account, whose output is the source";
    public const string ImageNumber = "Which of the source task's four images (0-3); default 0";
}
