using Easel.Core.Models;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Easel.Core.Operations;
using static Easel.Core.Operations.OperationLimits;

namespace Easel.Server.Dialects.Classic;

// The classic create body, one flat shape per model, and the wrapped envelope, for the OpenAPI document.
// ClassicRequestReader reads the same names by hand; the rules and limits are OperationParser's and
// OperationLimits'. A test posts every documented example to the server.

[Description("A task of one of the four midjourney_* models, chosen by `model`, with its parameters beside it (flat envelope)")]
[JsonPolymorphic(TypeDiscriminatorPropertyName = "model")]
[JsonDerivedType(typeof(ClassicUploadPaintRequest), ModelCatalog.UploadPaintClassic)]
[JsonDerivedType(typeof(ClassicEditRequest), ModelCatalog.EditClassic)]
[JsonDerivedType(typeof(ClassicInpaintRequest), ModelCatalog.InpaintClassic)]
[JsonDerivedType(typeof(ClassicRemixRequest), ModelCatalog.RemixClassic)]
internal abstract record ClassicCreateRequest : IRequestShape;

[Description("midjourney_uploadpaint: place an image on a canvas, repaint the masked areas and fill the rest")]
internal sealed record ClassicUploadPaintRequest(
    [property: JsonPropertyName("imgUrl"), Required, StringLength(ClassicImageUrlMaxLength, MinimumLength = 1), Description("Source image URL (http or https, or the url of an upload)")] Uri ImgUrl,
    [property: JsonPropertyName("canvas"), Required] CanvasShape Canvas,
    [property: JsonPropertyName("imgPos"), Required] PlacementShape ImgPos,
    [property: JsonPropertyName("mask"), Required] MaskShape Mask,
    [property: JsonPropertyName("remixPrompt"), Required, StringLength(PromptMaxLength, MinimumLength = PromptMinLength), Description("Prompt")] string RemixPrompt,
    [property: JsonPropertyName("callback"), MaxLength(CallbackUrlMaxLength), Description(ClassicWireText.Callback)] Uri Callback,
    [property: JsonPropertyName("speed"), JsonConverter(typeof(WireEnumConverter<Speed>)), Description(ClassicWireText.Speed)] Speed Speed = DefaultSpeed,
    [property: JsonPropertyName("outputFormat"), JsonConverter(typeof(WireEnumConverter<OutputFormat>)), Description(ClassicWireText.OutputFormat)] OutputFormat OutputFormat = DefaultOutputFormat) : ClassicCreateRequest;

[Description("midjourney_edit: the same as upload-paint, with the image taken from an earlier task's output; mask optional")]
internal sealed record ClassicEditRequest(
    [property: JsonPropertyName("jobId"), Required, StringLength(128, MinimumLength = 1), Description(ClassicWireText.JobId)] string JobId,
    [property: JsonPropertyName("imageNo"), Required, Range(0, ImageNumberMax), Description(ClassicWireText.ImageNo)] int ImageNo,
    [property: JsonPropertyName("canvas"), Required] CanvasShape Canvas,
    [property: JsonPropertyName("imgPos"), Required] PlacementShape ImgPos,
    [property: JsonPropertyName("remixPrompt"), Required, StringLength(PromptMaxLength, MinimumLength = PromptMinLength), Description("Prompt")] string RemixPrompt,
    [property: JsonPropertyName("mask")] MaskShape Mask,
    [property: JsonPropertyName("callback"), MaxLength(CallbackUrlMaxLength), Description(ClassicWireText.Callback)] Uri Callback,
    [property: JsonPropertyName("speed"), JsonConverter(typeof(WireEnumConverter<Speed>)), Description(ClassicWireText.Speed)] Speed Speed = DefaultSpeed,
    [property: JsonPropertyName("outputFormat"), JsonConverter(typeof(WireEnumConverter<OutputFormat>)), Description(ClassicWireText.OutputFormat)] OutputFormat OutputFormat = DefaultOutputFormat) : ClassicCreateRequest;

[Description("midjourney_inpaint: repaint the masked region of an earlier output (vary region)")]
internal sealed record ClassicInpaintRequest(
    [property: JsonPropertyName("jobId"), Required, StringLength(128, MinimumLength = 1), Description(ClassicWireText.JobId)] string JobId,
    [property: JsonPropertyName("imageNo"), Required, Range(0, ImageNumberMax), Description(ClassicWireText.ImageNo)] int ImageNo,
    [property: JsonPropertyName("mask"), Required] InpaintMaskShape Mask,
    [property: JsonPropertyName("remixPrompt"), StringLength(PromptMaxLength, MinimumLength = PromptMinLength), Description("Prompt for the repainted region (optional)")] string RemixPrompt,
    [property: JsonPropertyName("callback"), MaxLength(CallbackUrlMaxLength), Description(ClassicWireText.Callback)] Uri Callback,
    [property: JsonPropertyName("speed"), JsonConverter(typeof(WireEnumConverter<Speed>)), Description(ClassicWireText.Speed)] Speed Speed = DefaultSpeed,
    [property: JsonPropertyName("outputFormat"), JsonConverter(typeof(WireEnumConverter<OutputFormat>)), Description(ClassicWireText.OutputFormat)] OutputFormat OutputFormat = DefaultOutputFormat) : ClassicCreateRequest;

[Description("midjourney_remix: regenerate an earlier output under a new prompt, strongly or subtly")]
internal sealed record ClassicRemixRequest(
    [property: JsonPropertyName("jobId"), Required, StringLength(128, MinimumLength = 1), Description(ClassicWireText.JobId)] string JobId,
    [property: JsonPropertyName("imageNo"), Required, Range(0, ImageNumberMax), Description(ClassicWireText.ImageNo)] int ImageNo,
    [property: JsonPropertyName("remixPrompt"), Required, StringLength(PromptMaxLength, MinimumLength = PromptMinLength), Description("Remix prompt")] string RemixPrompt,
    [property: JsonPropertyName("callback"), MaxLength(CallbackUrlMaxLength), Description(ClassicWireText.Callback)] Uri Callback,
    [property: JsonPropertyName("mode"), Range(0, 1), Description("0 = strong (default), 1 = subtle")] int Mode = 0,
    [property: JsonPropertyName("speed"), JsonConverter(typeof(WireEnumConverter<Speed>)), Description(ClassicWireText.Speed)] Speed Speed = DefaultSpeed,
    [property: JsonPropertyName("outputFormat"), JsonConverter(typeof(WireEnumConverter<OutputFormat>)), Description(ClassicWireText.OutputFormat)] OutputFormat OutputFormat = DefaultOutputFormat) : ClassicCreateRequest;

[Description("The wrapped envelope: the same parameters inside input[0].params (model at the top or inside params)")]
internal sealed record ClassicWrappedRequest(
    [property: JsonPropertyName("model"), Description("The model; may be given inside params instead")] string Model,
    [property: JsonPropertyName("input"), Required, MinLength(1), MaxLength(1), Description("Exactly one item")] IReadOnlyList<ClassicWrappedInput> Input) : IRequestShape;

internal sealed record ClassicWrappedInput(
    [property: JsonPropertyName("params"), Required, Description("The flat body of the model")] ClassicCreateRequest Params) : IRequestShape;

internal static class ClassicWireText
{
    public const string Callback = "HTTP or HTTPS URL that receives the task's query response when it is completed, failed or cancelled "
        + "(after billing). Never a private address. Signed with Easel-Signature and, in the Standard Webhooks form, "
        + "webhook-id/webhook-timestamp/webhook-signature; retried 1 s, 2 s, 4 s after a failure.";
    public const string Speed = "fast (default) or turbo; turbo costs twice as much and is served first";
    public const string OutputFormat = "Encoding of the results: png (default, lossless), jpeg (quality 90, 4:2:0) or webp (lossy, quality 90)";
    public const string JobId = "The id of an earlier completed task of the same account, whose output is the source";
    public const string ImageNo = "Which of the source task's four images (0-3)";
}
