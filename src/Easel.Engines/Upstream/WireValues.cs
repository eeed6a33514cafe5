using System.Text.Json.Nodes;
using Easel.Core.Operations;

namespace Easel.Engines.Upstream;

/// <summary>The JSON of the geometry and masks both Easel dialects share (API.md sections 3, 4 and 6), and their enum spellings.</summary>
internal static class WireValues
{
    public static JsonObject Canvas(CanvasSize canvas) => new() { ["width"] = canvas.Width, ["height"] = canvas.Height };

    public static JsonObject Position(Placement p) => new() { ["width"] = p.Width, ["height"] = p.Height, ["x"] = p.X, ["y"] = p.Y };

    /// <summary>Polygons as they came; a mask image as the URL the upstream can fetch.</summary>
    public static JsonObject Mask(MaskSpec mask, Uri? maskUrl) => mask switch
    {
        PolygonMask polygons => new JsonObject
        {
            ["areas"] = new JsonArray(polygons.Areas.Select(a => (JsonNode)new JsonObject
            {
                ["width"] = a.Width, ["height"] = a.Height, ["points"] = new JsonArray(a.Points.Select(v => (JsonNode)v).ToArray()),
            }).ToArray()),
        },
        ImageMask => new JsonObject { ["url"] = (maskUrl ?? throw new InvalidOperationException("a mask image needs its URL")).ToString() },
        _ => throw new ArgumentOutOfRangeException(nameof(mask)),
    };

    public static string Speed(Speed speed) => speed switch
    {
        Core.Operations.Speed.Turbo => "turbo",
        Core.Operations.Speed.Draft => "draft",
        _ => "fast",
    };

    public static string Format(OutputFormat format) => format switch
    {
        OutputFormat.Jpeg => "jpeg",
        OutputFormat.Webp => "webp",
        _ => "png",
    };

    public static string Direction(PanDirection direction) => direction switch
    {
        PanDirection.Left => "left",
        PanDirection.Right => "right",
        PanDirection.Up => "up",
        _ => "down",
    };
}
