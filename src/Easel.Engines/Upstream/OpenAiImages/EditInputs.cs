using Easel.Core.Operations;
using Easel.Engines.Local;
using Easel.Engines.Upstream.Canvas;
using Easel.Imaging;

namespace Easel.Engines.Upstream.OpenAiImages;

/// <summary>
/// The two files of POST /v1/images/edits made from Easel's operation (UPSTREAMS.md section 4): the image as a PNG,
/// and a PNG mask of the same size whose fully transparent pixels are the area to edit. Easel's masks say the
/// opposite way round (white repaints, polygons or a mask image): the picture and area are the geometry every upstream
/// shares (<see cref="RepaintCanvas"/>: upload-paint and edit composed on their canvas, whose uncovered pixels join the
/// area to edit), so the geometry is API.md section 6's whichever engine runs. A soft mask is cut at half: the API
/// edits only pixels of alpha 0.
/// </summary>
internal static class EditInputs
{
    public sealed record Files(byte[] Image, byte[]? Mask, int Width, int Height);

    private const byte Half = 128;

    /// <exception cref="Core.Engines.EngineFailureException">The source or mask image cannot be decoded (image_processing).</exception>
    public static Files Of(Operation operation, byte[] source, byte[]? maskImage)
    {
        ArgumentNullException.ThrowIfNull(operation);
        // Remix and retexture re-render the whole image under the prompt: no area, every pixel may change.
        var repaint = RepaintCanvas.Of(operation, LocalEngine.Decode(source, "source image"), maskImage);
        return new Files(ImageCodec.EncodePng(repaint.Picture), repaint.Area is { } edit ? ImageCodec.EncodePng(Transparent(edit)) : null,
            repaint.Picture.Width, repaint.Picture.Height);
    }

    /// <summary>Black where kept (alpha 255), fully transparent where edited.</summary>
    internal static RgbaImage Transparent(AlphaMask edit)
    {
        var mask = new RgbaImage(edit.Width, edit.Height);
        var pixels = mask.Pixels;
        var values = edit.Values;
        for (var i = 0; i < values.Length; i++)
        {
            pixels[(i * 4) + 3] = values[i] >= Half ? (byte)0 : (byte)255;
        }
        return mask;
    }
}
