using Easel.Core.Operations;
using Easel.Engines.Local;
using Easel.Engines.Upstream.SdWebui;
using Easel.Imaging;

namespace Easel.Engines.Upstream.ComfyUi;

/// <summary>
/// The images a workflow is given for an image operation, in the three forms its placeholders ask for: the source as an
/// opaque PNG (image), the mask alone as an opaque PNG white where ComfyUI repaints (mask: LoadImageMask reads a colour
/// channel as 1 = repaint), and the source with the area to repaint transparent (masked_image: LoadImage's MASK output
/// is 1 - alpha, so transparent repaints). The geometry is the one every upstream shares (<see cref="Canvas.RepaintCanvas"/>,
/// through the sd-webui engine's <see cref="Img2ImgInputs"/>): the canvas of upload-paint and edit, the polygons and
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
        var inputs = Img2ImgInputs.Of(operation, source, maskImage, strength);
        if (inputs.Mask is not { } mask)
        {
            return new Images(inputs.Init, null, null, inputs.Width, inputs.Height, inputs.Denoising);
        }
        return new Images(inputs.Init, mask, Holed(ImageCodec.Decode(inputs.Init), ImageCodec.Decode(mask)), inputs.Width, inputs.Height, inputs.Denoising);
    }

    /// <summary>The picture whose alpha is the inverse of the mask: opaque where it is kept, transparent where it is repainted.</summary>
    private static byte[] Holed(RgbaImage picture, RgbaImage mask)
    {
        var pixels = picture.Pixels;
        var values = mask.Pixels;
        for (var i = 3; i < pixels.Length; i += 4)
        {
            // The mask is grey (every channel its value); red is read as LoadImageMask would read it.
            pixels[i] = (byte)(255 - values[i - 3]);
        }
        return ImageCodec.EncodePng(picture);
    }
}
