using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using static Easel.Core.Operations.OperationLimits;

namespace Easel.Server.Dialects;

// Documentation shapes of the geometry both dialects spell alike (canvas, position, mask). The create endpoints
// read their bodies by hand (size first, then the shared parser), so these records are never deserialised: they
// exist so the OpenAPI documents are generated from types, and their limits are OperationLimits' constants.

/// <summary>
/// A documentation shape of a request body: its schema's `required` list is exactly its [Required] properties
/// (the generator would otherwise call every constructor parameter required).
/// </summary>
internal interface IRequestShape;

[Description("Canvas size in pixels; the four output images have this size")]
internal sealed record CanvasShape(
    [property: JsonPropertyName("width"), Required, Range(CanvasMinSide, CanvasMaxSide), Description("Canvas width")] int Width,
    [property: JsonPropertyName("height"), Required, Range(CanvasMinSide, CanvasMaxSide), Description("Canvas height (width x height at most 16 megapixels)")] int Height) : IRequestShape;

[Description("Where the source image goes: scaled to width x height, its top-left corner at (x, y) in canvas pixels; it must overlap the canvas")]
internal sealed record PlacementShape(
    [property: JsonPropertyName("width"), Required, Range(PlacementMinSide, PlacementMaxSide), Description("Render width")] int Width,
    [property: JsonPropertyName("height"), Required, Range(PlacementMinSide, PlacementMaxSide), Description("Render height")] int Height,
    [property: JsonPropertyName("x"), Required, Range(-PlacementMaxOffset, PlacementMaxOffset), Description("Top-left horizontal offset (may be negative)")] int X,
    [property: JsonPropertyName("y"), Required, Range(-PlacementMaxOffset, PlacementMaxOffset), Description("Top-left vertical offset (may be negative)")] int Y) : IRequestShape;

[Description("The region to repaint: polygons (areas) or a mask image (url: white repaints, black keeps). Give one of the two; areas win when both are given")]
internal sealed record MaskShape(
    [property: JsonPropertyName("areas"), MinLength(1), MaxLength(MaskMaxAreas), Description("Polygon region list (united)")] IReadOnlyList<MaskAreaShape> Areas,
    [property: JsonPropertyName("url"), Description("Mask image URL (white = repaint, black = preserve), scaled to the target")] Uri Url) : IRequestShape;

[Description("One polygon; its points are drawn in a width x height frame that is scaled to the target (the canvas)")]
internal sealed record MaskAreaShape(
    [property: JsonPropertyName("width"), Required, Range(MaskAreaMinSide, MaskAreaMaxSide), Description("Region width (the frame of the points)")] int Width,
    [property: JsonPropertyName("height"), Required, Range(MaskAreaMinSide, MaskAreaMaxSide), Description("Region height (the frame of the points)")] int Height,
    [property: JsonPropertyName("points"), Required, MinLength(MaskMinPointValues), MaxLength(MaskMaxPointValues), Description("Polygon vertex coordinates x1, y1, x2, y2, ... (at least three pairs, filled with the non-zero rule)")] IReadOnlyList<int> Points) : IRequestShape;

[Description("The region of the source image to repaint: polygons (areas) or a mask image (url: white repaints, black keeps)")]
internal sealed record InpaintMaskShape(
    [property: JsonPropertyName("areas"), MinLength(1), MaxLength(MaskMaxAreas), Description("Polygon region list (united)")] IReadOnlyList<InpaintMaskAreaShape> Areas,
    [property: JsonPropertyName("url"), Description("Mask image URL (white = repaint, black = preserve), scaled to the source image")] Uri Url) : IRequestShape;

[Description("One polygon; its points are drawn in a width x height frame that is scaled to the source image")]
internal sealed record InpaintMaskAreaShape(
    [property: JsonPropertyName("width"), Required, Range(InpaintAreaMinSide, InpaintAreaMaxSide), Description("Region width (the frame of the points)")] int Width,
    [property: JsonPropertyName("height"), Required, Range(InpaintAreaMinSide, InpaintAreaMaxSide), Description("Region height (the frame of the points)")] int Height,
    [property: JsonPropertyName("points"), Required, MinLength(MaskMinPointValues), MaxLength(MaskMaxPointValues), Description("Polygon vertex coordinates x1, y1, x2, y2, ... (at least three pairs)")] IReadOnlyList<int> Points) : IRequestShape;

/// <summary>
/// Core's enums on the wire as the parser reads them: lower-case names ("fast", "strong", "jpeg"). Used only by
/// the documentation shapes, so the documents list exactly Core's values.
/// </summary>
internal sealed class WireEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
