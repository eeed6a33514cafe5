using Easel.Core.Engines;
using Easel.Core.Operations;
using static Easel.Core.Operations.OperationLimits;

namespace Easel.Core.Models;

/// <summary>
/// Every model Easel serves, one entry each (API.md sections 2 and 9). Adding a model is adding an entry here (and,
/// if it needs a field no model had, that field's rule in <see cref="OperationParser"/>); the dialects, the documents,
/// the prices, the model list and the CLI follow from it.
/// </summary>
public static class ModelCatalog
{
    // The names the typed OpenAPI shapes of the seeds' four models name in attributes (constants, so they agree).
    public const string UploadPaintUnified = "mj-v7-upload-paint";
    public const string EditUnified = "mj-v7-edit";
    public const string InpaintUnified = "mj-v7-inpaint";
    public const string RemixUnified = "mj-v7-remix";
    public const string UploadPaintClassic = "midjourney_uploadpaint";
    public const string EditClassic = "midjourney_edit";
    public const string InpaintClassic = "midjourney_inpaint";
    public const string RemixClassic = "midjourney_remix";

    private static readonly ChoiceSet FastOrTurbo = ChoiceSet.Named("speed", DefaultSpeed, Speed.Fast, Speed.Turbo);
    private static readonly ChoiceSet ImagineSpeeds = ChoiceSet.Named("speed", DefaultSpeed, Speed.Draft, Speed.Fast, Speed.Turbo);

    // Every value of the enum, so a format added to OutputFormat (and its encoder) is accepted without a change here.
    private static readonly ChoiceSet OutputFormats = ChoiceSet.Named<OutputFormat>("the output format", DefaultOutputFormat);

    private static readonly ChoiceSet RemixModes = new("mode",
        [new((int)RemixMode.Strong, "strong", 0), new((int)RemixMode.Subtle, "subtle", 1)], (int)DefaultRemixMode);

    private static readonly ChoiceSet VariationTypes = new("type",
        [new((int)VariationType.Subtle, "subtle", 0), new((int)VariationType.Strong, "strong", 1)], (int)VariationType.Strong);

    private static readonly ChoiceSet UpscaleTypes = new("type",
    [
        new((int)UpscaleType.Standard, "standard", 0),
        new((int)UpscaleType.Creative, "creative", 1),
        // The classic dialect's legacy 2x and 4x (Legnext's v5 upscalers); the unified dialect has no spelling for them.
        new((int)UpscaleType.TwoTimes, null, 2),
        new((int)UpscaleType.FourTimes, null, 3),
    ], (int)UpscaleType.Standard);

    private static readonly ChoiceSet PanDirections = new("direction",
    [
        new((int)PanDirection.Left, "left", 3),
        new((int)PanDirection.Right, "right", 1),
        new((int)PanDirection.Up, "up", 2),
        new((int)PanDirection.Down, "down", 0),
    ], (int)PanDirection.Right);

    private static ModelField Required(RequestField field) => new(field, Required: true);

    private static ModelField Optional(RequestField field) => new(field, Required: false);

    private static readonly ModelField TaskId = Required(RequestField.TaskId);
    private static readonly ModelField ImageNumber = Required(RequestField.ImageNumber);
    private static readonly ModelField Callback = Optional(RequestField.Callback);
    private static readonly ModelField SpeedField = Optional(RequestField.Speed) with { Choices = FastOrTurbo };
    private static readonly ModelField Output = Optional(RequestField.OutputFormat) with { Choices = OutputFormats };

    private static ModelField[] Fields(params ModelField[] own) => [.. own, Callback, SpeedField, Output];

    private static ClassicCode Row(int number, RequestField field, FieldProblem? problem, string description) =>
        new(number, field, problem, description);

    private static ModelEntry UploadPaint { get; } = new(
        OperationKind.UploadPaint, "upload-paint", UploadPaintUnified, UploadPaintClassic, ModelCategory.Direct,
        "Place an uploaded image on a canvas at a position and size; repaint the masked areas and fill the rest",
        Fields(Required(RequestField.ImageUrl), Required(RequestField.Canvas), Required(RequestField.Position),
            Required(RequestField.Mask), Required(RequestField.Prompt)),
        // Seed 000, as printed.
        new ClassicCodeTable(4014,
        [
            Row(1, RequestField.ImageUrl, FieldProblem.Missing, "Image URL missing"),
            Row(2, RequestField.ImageUrl, FieldProblem.InvalidLength, "Invalid image URL length"),
            Row(3, RequestField.ImageUrl, null, "Invalid image URL format"),
            Row(4, RequestField.Canvas, FieldProblem.Missing, "Canvas parameters missing"),
            Row(5, RequestField.Canvas, null, "Invalid canvas parameters"),
            Row(6, RequestField.Position, FieldProblem.Missing, "Image position parameters missing"),
            Row(7, RequestField.Position, null, "Invalid image position parameters"),
            Row(8, RequestField.Mask, FieldProblem.Missing, "Mask parameters missing"),
            Row(9, RequestField.Mask, null, "Invalid mask parameters"),
            Row(10, RequestField.Prompt, FieldProblem.Missing, "Remix prompt missing"),
            Row(11, RequestField.Prompt, null, "Invalid remix prompt length"),
            Row(12, RequestField.Callback, null, "Invalid callback URL"),
        ]),
        ImageCount, 8.1m, EngineCapability.UploadPaint,
        p => new UploadPaint(p.Prompt!, p.Speed, ParsedFields.Required(p.Image, "an image URL"), ParsedFields.Required(p.Canvas, "a canvas"),
            ParsedFields.Required(p.Position, "a position"), ParsedFields.Required(p.Mask, "a mask")));

    private static ModelEntry Edit { get; } = new(
        OperationKind.Edit, "edit", EditUnified, EditClassic, ModelCategory.Secondary,
        "Upload-paint with the image taken from an earlier task's output; mask optional",
        Fields(TaskId, ImageNumber, Required(RequestField.Prompt), Required(RequestField.Canvas), Required(RequestField.Position),
            Optional(RequestField.Mask)),
        // Seed 001: no "invalid" rows for canvas and position (their "missing" rows carry the message), none for the mask.
        new ClassicCodeTable(4007,
        [
            Row(1, RequestField.TaskId, null, "Task ID missing"),
            Row(2, RequestField.ImageNumber, FieldProblem.Missing, "Image number missing"),
            Row(3, RequestField.ImageNumber, null, "Invalid image number"),
            Row(4, RequestField.Prompt, FieldProblem.Missing, "Prompt missing"),
            Row(5, RequestField.Prompt, null, "Invalid prompt length"),
            Row(6, RequestField.Canvas, null, "Canvas parameters missing"),
            Row(7, RequestField.Position, null, "Image position parameters missing"),
            Row(8, RequestField.Callback, null, "Invalid callback URL"),
        ]),
        ImageCount, 8.1m, EngineCapability.Edit,
        p => new Edit(p.Prompt!, p.Speed, p.From, ParsedFields.Required(p.Canvas, "a canvas"), ParsedFields.Required(p.Position, "a position"), p.Mask));

    private static ModelEntry Inpaint { get; } = new(
        OperationKind.Inpaint, "inpaint", InpaintUnified, InpaintClassic, ModelCategory.Secondary,
        "Repaint the masked region of an earlier output (vary region)",
        Fields(TaskId, ImageNumber, Optional(RequestField.Prompt), Required(RequestField.Mask) with { MaskTarget = MaskTarget.Source }),
        // Seed 002.
        new ClassicCodeTable(4006,
        [
            Row(1, RequestField.TaskId, null, "Task ID missing"),
            Row(2, RequestField.ImageNumber, FieldProblem.Missing, "Image number missing"),
            Row(3, RequestField.ImageNumber, null, "Invalid image number"),
            Row(4, RequestField.Prompt, null, "Invalid remix prompt length"),
            Row(5, RequestField.Mask, FieldProblem.Missing, "Mask parameters missing"),
            Row(6, RequestField.Mask, null, "Invalid mask parameters"),
            Row(7, RequestField.Callback, null, "Invalid callback URL"),
        ]),
        ImageCount, 8.1m, EngineCapability.Inpaint,
        p => new Inpaint(p.Prompt, p.Speed, p.From, ParsedFields.Required(p.Mask, "a mask")));

    private static ModelEntry Remix { get; } = new(
        OperationKind.Remix, "remix", RemixUnified, RemixClassic, ModelCategory.Secondary,
        "Regenerate an earlier output under a new prompt, strongly or subtly",
        Fields(TaskId, ImageNumber, Optional(RequestField.Mode) with { Choices = RemixModes }, Required(RequestField.Prompt)),
        // Seed 004.
        new ClassicCodeTable(4011,
        [
            Row(1, RequestField.TaskId, null, "Task ID missing"),
            Row(2, RequestField.ImageNumber, FieldProblem.Missing, "Image number missing"),
            Row(3, RequestField.ImageNumber, null, "Invalid image number"),
            Row(4, RequestField.Mode, null, "Invalid adjustment mode"),
            Row(5, RequestField.Prompt, FieldProblem.Missing, "Remix prompt missing"),
            Row(6, RequestField.Prompt, null, "Invalid remix prompt length"),
            Row(7, RequestField.Callback, null, "Invalid callback URL"),
        ]),
        ImageCount, 8.1m, EngineCapability.Remix,
        p => new Remix(p.Prompt!, p.Speed, p.From, p.Choice<RemixMode>(RequestField.Mode)));

    private static ModelEntry Imagine { get; } = new(
        OperationKind.Imagine, "imagine", "mj-v7", "midjourney_diffusion", ModelCategory.Direct,
        "Four new images from a prompt",
        [Required(RequestField.Prompt) with { ClassicNameOverride = "text" }, Callback, SpeedField with { Choices = ImagineSpeeds }, Output],
        // Diffusion's page shows the prefix 004001 and its first rows; the callback follows, as in every table.
        new ClassicCodeTable(4001,
        [
            Row(1, RequestField.Prompt, FieldProblem.Missing, "Missing text"),
            Row(2, RequestField.Prompt, null, "Invalid text length"),
            Row(3, RequestField.Callback, null, "Invalid callback URL"),
        ]),
        ImageCount, 5.4m, EngineCapability.Imagine,
        p => new Imagine(p.Prompt!, p.Speed));

    private static readonly ModelField[] VariationFields =
        Fields(TaskId, ImageNumber, Optional(RequestField.Type) with { Choices = VariationTypes }, Optional(RequestField.Prompt));

    private static ModelEntry Variation { get; } = new(
        OperationKind.Variation, "variation", "mj-v7-variation", "midjourney_variation", ModelCategory.Secondary,
        "Four variants of an earlier output: subtle keeps the layout, strong moves shapes",
        VariationFields, ClassicCodeTable.FromFields(4052, VariationFields),
        ImageCount, 5.4m, EngineCapability.Variation,
        p => new Variation(p.Prompt, p.Speed, p.From, p.Choice<VariationType>(RequestField.Type)));

    private static readonly ModelField[] UpscaleFields =
        Fields(TaskId, ImageNumber, Optional(RequestField.Type) with { Choices = UpscaleTypes });

    private static ModelEntry Upscale { get; } = new(
        OperationKind.Upscale, "upscale", "mj-v7-upscale", "midjourney_upscale", ModelCategory.Secondary,
        "One image of an earlier output at twice its size (classic type 3: four times); creative invents new detail",
        UpscaleFields, ClassicCodeTable.FromFields(4051, UpscaleFields),
        1, 8.1m, EngineCapability.Upscale,
        p => new Upscale(p.Speed, p.From, p.Choice<UpscaleType>(RequestField.Type)))
    {
        Variants = [new ModelVariant("creative", o => o is Upscale { Type: UpscaleType.Creative }, 10.8m, EngineCapability.CreativeUpscale)],
    };

    private static readonly ModelField[] OutpaintFields =
        Fields(TaskId, ImageNumber, Required(RequestField.Scale) with { Range = new(OutpaintScaleMin, OutpaintScaleMax) }, Optional(RequestField.Prompt));

    private static ModelEntry Outpaint { get; } = new(
        OperationKind.Outpaint, "outpaint", "mj-v7-outpaint", "midjourney_outpaint", ModelCategory.Secondary,
        "Zoom out: the canvas scaled by scale around the centred image, the new border filled",
        OutpaintFields, ClassicCodeTable.FromFields(4053, OutpaintFields),
        ImageCount, 5.4m, EngineCapability.Outpaint,
        p => new Outpaint(p.Prompt, p.Speed, p.From, p.Scale!.Value));

    private static readonly ModelField[] PanFields =
        Fields(TaskId, ImageNumber, Required(RequestField.Direction) with { Choices = PanDirections },
            Required(RequestField.Scale) with { Range = new(PanScaleMin, PanScaleMax) }, Optional(RequestField.Prompt));

    private static ModelEntry Pan { get; } = new(
        OperationKind.Pan, "pan", "mj-v7-pan", "midjourney_pan", ModelCategory.Secondary,
        "Extend an earlier output by scale along one direction and fill the new part",
        PanFields, ClassicCodeTable.FromFields(4054, PanFields),
        ImageCount, 5.4m, EngineCapability.Pan,
        p => new Pan(p.Prompt, p.Speed, p.From, p.Choice<PanDirection>(RequestField.Direction), p.Scale!.Value));

    private static readonly ModelField[] EnhanceFields = Fields(TaskId, ImageNumber);

    private static ModelEntry Enhance { get; } = new(
        OperationKind.Enhance, "enhance", "mj-v7-enhance", "midjourney_enhance", ModelCategory.Secondary,
        "Re-render an earlier (draft) output at full quality",
        EnhanceFields, ClassicCodeTable.FromFields(4055, EnhanceFields),
        ImageCount, 5.4m, EngineCapability.Enhance,
        p => new Enhance(p.Speed, p.From));

    private static readonly ModelField[] RetextureFields = Fields(Required(RequestField.ImageUrl), Required(RequestField.Prompt));

    private static ModelEntry Retexture { get; } = new(
        OperationKind.Retexture, "retexture", "mj-v7-retexture", "midjourney_retexture", ModelCategory.Direct,
        "Keep an uploaded image's shapes and render new surfaces under a prompt",
        RetextureFields, ClassicCodeTable.FromFields(4056, RetextureFields),
        ImageCount, 8.1m, EngineCapability.Retexture,
        p => new Retexture(p.Prompt!, p.Speed, ParsedFields.Required(p.Image, "an image URL")));

    // No prompt and no speed (EvoLink's page), and no output format: the result is a PNG, its alpha the foreground.
    private static readonly ModelField[] RemoveBackgroundFields = [Required(RequestField.ImageUrl), Callback];

    private static ModelEntry RemoveBackground { get; } = new(
        OperationKind.RemoveBackground, "remove-bg", "mj-v7-remove-bg", "midjourney_remove_bg", ModelCategory.Direct,
        "One PNG of an uploaded image whose alpha is its foreground",
        RemoveBackgroundFields, ClassicCodeTable.FromFields(4057, RemoveBackgroundFields),
        1, 2.7m, EngineCapability.RemoveBackground,
        p => new RemoveBackground(p.Speed, ParsedFields.Required(p.Image, "an image URL")));

    /// <summary>Every model, in the order of API.md sections 2 and 9 (the order of every list made from it).</summary>
    public static IReadOnlyList<ModelEntry> All { get; } =
        [UploadPaint, Edit, Inpaint, Remix, Imagine, Variation, Upscale, Outpaint, Pan, Enhance, Retexture, RemoveBackground];

    private static readonly Dictionary<OperationKind, ModelEntry> ByKind = All.ToDictionary(m => m.Kind);
    private static readonly Dictionary<string, ModelEntry> ByUnified = All.ToDictionary(m => m.UnifiedName, StringComparer.Ordinal);
    private static readonly Dictionary<string, ModelEntry> ByClassic = All.ToDictionary(m => m.ClassicName, StringComparer.Ordinal);

    public static ModelEntry Of(OperationKind kind) =>
        ByKind.TryGetValue(kind, out var entry) ? entry : throw new ArgumentOutOfRangeException(nameof(kind), kind, "no catalog entry");

    public static bool TryUnified(string name, out ModelEntry entry) => ByUnified.TryGetValue(name, out entry!);

    public static bool TryClassic(string name, out ModelEntry entry) => ByClassic.TryGetValue(name, out entry!);

    /// <summary>A model by either dialect's name (admin key lists, the CLI).</summary>
    public static bool TryAny(string name, out ModelEntry entry) => TryUnified(name, out entry) || TryClassic(name, out entry);

    public static IEnumerable<string> UnifiedNames => All.Select(m => m.UnifiedName);

    public static IEnumerable<string> ClassicNames => All.Select(m => m.ClassicName);
}
