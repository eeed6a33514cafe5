using Easel.Core.Operations;
using Easel.Engines.Local;
using Easel.Imaging;

namespace Easel.Engines.Upstream.SdWebui;

/// <summary>
/// What POST /sdapi/v1/img2img is sent for Easel's image operations (UPSTREAMS.md section 2), and what the comfyui engine
/// uploads for them (section 3): the init image as a PNG,
/// and for the masked ones a mask PNG of the same size, white where A1111 repaints, as Easel's own masks say it, so
/// the values go as they are (soft edges as grey, which A1111 blends). The geometry is the local engine's: upload-paint
/// and edit composed on their canvas by <see cref="CanvasComposer"/> (the uncovered canvas joins the repainted area),
/// polygons and mask images painted by <see cref="MaskPainter"/>, outpaint and pan placed on the larger canvas of
/// <see cref="ResultGeometry"/> where <see cref="LocalEngine.ExtendedPlacement"/> puts them, the new part masked.
/// </summary>
internal static class Img2ImgInputs
{
    /// <summary>A1111's inpainting_fill: 0 fill (the masked area pre-filled from its surroundings), 1 original (its pixels kept as the start).</summary>
    public const int Fill = 0;

    public const int Original = 1;

    public sealed record Images(byte[] Init, byte[]? Mask, int Width, int Height, int InpaintingFill, decimal Denoising);

    /// <exception cref="Core.Engines.EngineFailureException">The source or mask image cannot be decoded, or the result would break the canvas limits.</exception>
    public static Images Of(Operation operation, byte[] source, byte[]? maskImage, IReadOnlyDictionary<string, decimal> strength)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(strength);
        var image = LocalEngine.Decode(source, "source image");
        var (picture, repaint, fill, denoising) = operation switch
        {
            UploadPaint p => Composed(image, p.Canvas, p.Placement, p.Mask, maskImage, strength["DenoisingInpaint"]),
            Edit e => Composed(image, e.Canvas, e.Placement, e.Mask, maskImage, strength["DenoisingInpaint"]),
            Inpaint i => (image, MaskPainter.Paint(i.Mask, maskImage, image.Width, image.Height), Original, strength["DenoisingInpaint"]),
            // Remix and variation re-render the whole image from itself: no mask, the strength says how far it may move.
            Remix r => (image, (AlphaMask?)null, Original, strength[r.Mode == RemixMode.Strong ? "DenoisingRemixStrong" : "DenoisingRemixSubtle"]),
            Variation v => (image, null, Original, strength[v.Type == VariationType.Strong ? "DenoisingVariationStrong" : "DenoisingVariationSubtle"]),
            // The new part has no pixels to keep: A1111 pre-fills it from the source's edges (fill), then repaints it.
            Outpaint or Pan => Extended(image, operation, strength["DenoisingOutpaint"]),
            _ => throw new InvalidOperationException($"{operation.Kind} is not an operation sent as an image to repaint"),
        };
        return new Images(ImageCodec.EncodePng(picture), repaint is null ? null : ImageCodec.EncodePng(White(repaint)),
            picture.Width, picture.Height, fill, denoising);
    }

    /// <summary>The size A1111 is asked for: each side the nearest multiple of 8 (its latent space is an eighth of the pixels), at least 8.</summary>
    public static int Rounded(int side) => Math.Max(8, (int)Math.Round(side / 8.0, MidpointRounding.AwayFromZero) * 8);

    private static (RgbaImage, AlphaMask?, int, decimal) Composed(RgbaImage source, CanvasSize canvas, Placement placement, MaskSpec? mask,
        byte[]? maskImage, decimal denoising)
    {
        var (composed, hole) = CanvasComposer.Compose(source, canvas, placement);
        if (mask is not null)
        {
            hole.UnionWith(MaskPainter.Paint(mask, maskImage, composed.Width, composed.Height));
        }
        return (composed, hole, Original, denoising);
    }

    private static (RgbaImage, AlphaMask?, int, decimal) Extended(RgbaImage source, Operation operation, decimal denoising)
    {
        var size = LocalEngine.CheckedSize(operation, source);
        var (canvas, hole) = CanvasComposer.Compose(source, size, LocalEngine.ExtendedPlacement(operation, size, source.Width, source.Height));
        return (canvas, hole, Fill, denoising);
    }

    /// <summary>Opaque grey: the mask's value in every channel, white repaints.</summary>
    internal static RgbaImage White(AlphaMask repaint)
    {
        var mask = new RgbaImage(repaint.Width, repaint.Height);
        var pixels = mask.Pixels;
        var values = repaint.Values;
        for (var i = 0; i < values.Length; i++)
        {
            (pixels[i * 4], pixels[(i * 4) + 1], pixels[(i * 4) + 2], pixels[(i * 4) + 3]) = (values[i], values[i], values[i], 255);
        }
        return mask;
    }
}
