using Easel.Core.Operations;
using Easel.Engines.Local;
using Easel.Engines.Upstream.Canvas;
using Easel.Imaging;

namespace Easel.Engines.Upstream.SdWebui;

/// <summary>
/// What POST /sdapi/v1/img2img is sent for Easel's image operations (UPSTREAMS.md section 2), and what the comfyui engine
/// uploads for them (section 3): the init image as a PNG,
/// and for the masked ones a mask PNG of the same size, white where A1111 repaints, as Easel's own masks say it, so
/// the values go as they are (soft edges as grey, which A1111 blends). The geometry is the one every upstream shares,
/// <see cref="RepaintCanvas"/> (upload-paint and edit on their canvas, outpaint and pan on the larger canvas with the
/// new part masked); this adds A1111's inpainting_fill and denoising strength.
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
        var denoising = Denoising(operation, strength);
        var repaint = RepaintCanvas.Of(operation, LocalEngine.Decode(source, "source image"), maskImage);
        // The new part has no pixels to keep: A1111 pre-fills it from the source's edges (fill), then repaints it.
        var fill = repaint.NewPart ? Fill : Original;
        return new Images(ImageCodec.EncodePng(repaint.Picture), repaint.Area is { } area ? ImageCodec.EncodePng(RepaintCanvas.White(area)) : null,
            repaint.Picture.Width, repaint.Picture.Height, fill, denoising);
    }

    /// <summary>How far the operation may move from its picture (0-1), from the engine's strengths.</summary>
    public static decimal Denoising(Operation operation, IReadOnlyDictionary<string, decimal> strength)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(strength);
        return operation switch
        {
            UploadPaint or Edit or Inpaint => strength["DenoisingInpaint"],
            // Remix and variation re-render the whole image from itself: no mask, the strength says how far it may move.
            Remix r => strength[r.Mode == RemixMode.Strong ? "DenoisingRemixStrong" : "DenoisingRemixSubtle"],
            Variation v => strength[v.Type == VariationType.Strong ? "DenoisingVariationStrong" : "DenoisingVariationSubtle"],
            Outpaint or Pan => strength["DenoisingOutpaint"],
            _ => throw new InvalidOperationException($"{operation.Kind} is not an operation sent as an image to repaint"),
        };
    }

    /// <summary>The size A1111 is asked for: each side the nearest multiple of 8 (its latent space is an eighth of the pixels), at least 8.</summary>
    public static int Rounded(int side) => Math.Max(8, (int)Math.Round(side / 8.0, MidpointRounding.AwayFromZero) * 8);
}
