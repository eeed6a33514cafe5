using Easel.Core.Operations;
using Easel.Engines.Local;
using Easel.Engines.Upstream.Canvas;
using Easel.Engines.Upstream.SdWebui;
using Easel.Imaging;

namespace Easel.Engines.Upstream.ComfyUi;

/// <summary>
/// The images a workflow is given for an image operation, in the three forms its placeholders ask for: the source as an
/// opaque PNG (image), the mask alone as an opaque PNG white where ComfyUI repaints (mask: LoadImageMask reads a colour
/// channel as 1 = repaint), and the source with the area to repaint transparent (masked_image: LoadImage's MASK output
/// is 1 - alpha, so transparent repaints), all three from one composed picture, never re-decoded. The geometry is the one
/// every upstream shares (<see cref="RepaintCanvas"/>), the strength sd-webui's (<see cref="Img2ImgInputs.Denoising"/>): the canvas of upload-paint and edit, the polygons and
/// mask images, the larger canvas of outpaint and pan with its new part masked. Operations without geometry (upscale,
/// enhance, retexture, remove-bg) give the source as it is.
/// </summary>
internal static class ComfyUiInputs
{
    public sealed record Images(byte[] Image, byte[]? Mask, byte[]? MaskedImage, int Width, int Height, decimal Denoise);

    /// <exception cref="Core.Engines.EngineFailureException">The source or mask image cannot be decoded, or the result would break the canvas limits.</exception>
    public static Images Of(Operation operation, byte[] source, byte[]? maskImage, IReadOnlyDictionary<string, decimal> strength)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operation is Upscale or Enhance or Retexture or RemoveBackground)
        {
            var image = LocalEngine.Decode(source, "source image");
            return new Images(ImageCodec.EncodePng(image), null, null, image.Width, image.Height, 1m);
        }
        var denoise = Img2ImgInputs.Denoising(operation, strength);
        var repaint = RepaintCanvas.Of(operation, LocalEngine.Decode(source, "source image"), maskImage);
        var (picture, width, height) = (repaint.Picture, repaint.Picture.Width, repaint.Picture.Height);
        var encoded = ImageCodec.EncodePng(picture);
        if (repaint.Area is not { } area)
        {
            return new Images(encoded, null, null, width, height, denoise);
        }
        return new Images(encoded, ImageCodec.EncodePng(RepaintCanvas.White(area)), Holed(picture, area), width, height, denoise);
    }

    /// <summary>
    /// The picture (already encoded as the image, so changed in place) with its alpha the inverse of the area: opaque
    /// where it is kept, transparent where it is repainted.
    /// </summary>
    private static byte[] Holed(RgbaImage picture, AlphaMask area)
    {
        var pixels = picture.Pixels;
        var values = area.Values;
        for (var i = 0; i < values.Length; i++)
        {
            pixels[(i * 4) + 3] = (byte)(255 - values[i]);
        }
        return ImageCodec.EncodePng(picture);
    }
}
