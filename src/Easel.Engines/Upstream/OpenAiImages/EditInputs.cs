using Easel.Core.Operations;
using Easel.Engines.Local;
using Easel.Imaging;

namespace Easel.Engines.Upstream.OpenAiImages;

/// <summary>
/// The two files of POST /v1/images/edits made from Easel's operation (UPSTREAMS.md section 4): the image as a PNG,
/// and a PNG mask of the same size whose fully transparent pixels are the area to edit. Easel's masks say the
/// opposite way round (white repaints, polygons or a mask image): they are painted with the local engine's
/// <see cref="MaskPainter"/>, and upload-paint and edit are composed on their canvas with its
/// <see cref="CanvasComposer"/>, whose uncovered pixels join the area to edit, so the geometry is API.md section 6's
/// whichever engine runs. A soft mask is cut at half: the API edits only pixels of alpha 0.
/// </summary>
internal static class EditInputs
{
    public sealed record Files(byte[] Image, byte[]? Mask, int Width, int Height);

    private const byte Half = 128;

    /// <exception cref="Core.Engines.EngineFailureException">The source or mask image cannot be decoded (image_processing).</exception>
    public static Files Of(Operation operation, byte[] source, byte[]? maskImage)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var image = LocalEngine.Decode(source, "source image");
        var (picture, edit) = operation switch
        {
            UploadPaint p => Composed(image, p.Canvas, p.Placement, p.Mask, maskImage),
            Edit e => Composed(image, e.Canvas, e.Placement, e.Mask, maskImage),
            Inpaint i => (image, MaskPainter.Paint(i.Mask, maskImage, image.Width, image.Height)),
            // Remix and retexture re-render the whole image under the prompt: no mask, every pixel may change.
            _ => (image, (AlphaMask?)null),
        };
        return new Files(ImageCodec.EncodePng(picture), edit is null ? null : ImageCodec.EncodePng(Transparent(edit)), picture.Width, picture.Height);
    }

    private static (RgbaImage, AlphaMask?) Composed(RgbaImage source, CanvasSize canvas, Placement placement, MaskSpec? mask, byte[]? maskImage)
    {
        var (composed, hole) = CanvasComposer.Compose(source, canvas, placement);
        if (mask is not null)
        {
            hole.UnionWith(MaskPainter.Paint(mask, maskImage, composed.Width, composed.Height));
        }
        return (composed, hole);
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
