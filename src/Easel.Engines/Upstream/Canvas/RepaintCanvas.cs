using Easel.Core.Operations;
using Easel.Engines.Local;
using Easel.Imaging;

namespace Easel.Engines.Upstream.Canvas;

/// <summary>
/// The picture an upstream repaints for one of Easel's image operations, and the area it repaints, in the local
/// engine's geometry so that every engine that takes a picture and a mask sees the same canvas (sd-webui, comfyui,
/// openai-images, cog): upload-paint and edit composed on their canvas by <see cref="CanvasComposer"/> (the uncovered
/// canvas joins the repainted area), polygons and mask images painted by <see cref="MaskPainter"/>, outpaint and pan
/// placed on the larger canvas of <see cref="ResultGeometry"/> where <see cref="LocalEngine.ExtendedPlacement"/> puts
/// them, the new part repainted. The other operations re-render the source as it is, with no area.
/// </summary>
internal static class RepaintCanvas
{
    /// <summary>
    /// The picture (its uncovered pixels transparent black) and the area to repaint (white repaints, grey blends), or
    /// no area when the whole picture is re-rendered. <paramref name="NewPart"/>: outpaint and pan, whose repainted
    /// area has no pixels of its own to start from.
    /// </summary>
    public sealed record Repaint(RgbaImage Picture, AlphaMask? Area, bool NewPart);

    /// <summary>Whether the operation sends a canvas that exists nowhere but here (it cannot go as the source's URL).</summary>
    public static bool Composes(OperationKind kind) => kind is OperationKind.UploadPaint or OperationKind.Edit or OperationKind.Outpaint or OperationKind.Pan;

    /// <summary>Whether the operation repaints an area (and so has a mask to send).</summary>
    public static bool Masks(OperationKind kind) => Composes(kind) || kind is OperationKind.Inpaint;

    /// <exception cref="Core.Engines.EngineFailureException">The mask image cannot be decoded, or the larger canvas would break the canvas limits.</exception>
    public static Repaint Of(Operation operation, RgbaImage source, byte[]? maskImage)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(source);
        return operation switch
        {
            UploadPaint p => Composed(source, p.Canvas, p.Placement, p.Mask, maskImage),
            Edit e => Composed(source, e.Canvas, e.Placement, e.Mask, maskImage),
            Inpaint i => new Repaint(source, MaskPainter.Paint(i.Mask, maskImage, source.Width, source.Height), NewPart: false),
            Outpaint or Pan => Extended(source, operation),
            _ => new Repaint(source, null, NewPart: false),
        };
    }

    /// <summary>Opaque grey: the area's value in every channel, white repaints (Easel's own mask form, and SD inpainting's).</summary>
    public static RgbaImage White(AlphaMask area)
    {
        ArgumentNullException.ThrowIfNull(area);
        var mask = new RgbaImage(area.Width, area.Height);
        var pixels = mask.Pixels;
        var values = area.Values;
        for (var i = 0; i < values.Length; i++)
        {
            (pixels[i * 4], pixels[(i * 4) + 1], pixels[(i * 4) + 2], pixels[(i * 4) + 3]) = (values[i], values[i], values[i], 255);
        }
        return mask;
    }

    private static Repaint Composed(RgbaImage source, CanvasSize canvas, Placement placement, MaskSpec? mask, byte[]? maskImage)
    {
        var (composed, hole) = CanvasComposer.Compose(source, canvas, placement);
        if (mask is not null)
        {
            hole.UnionWith(MaskPainter.Paint(mask, maskImage, composed.Width, composed.Height));
        }
        return new Repaint(composed, hole, NewPart: false);
    }

    private static Repaint Extended(RgbaImage source, Operation operation)
    {
        var size = LocalEngine.CheckedSize(operation, source);
        var (canvas, hole) = CanvasComposer.Compose(source, size, LocalEngine.ExtendedPlacement(operation, size, source.Width, source.Height));
        return new Repaint(canvas, hole, NewPart: true);
    }
}
