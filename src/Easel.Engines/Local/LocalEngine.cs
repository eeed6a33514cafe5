using Easel.Core.Engines;
using Easel.Core.Operations;
using Easel.Core.Tasks;
using Easel.Imaging;

namespace Easel.Engines.Local;

/// <summary>
/// The engine that works out of the box on one machine: it does the geometry of API.md section 6 exactly and
/// fills holes from the image's own pixels. It does not read prompts (no generative model runs here); they are
/// stored and reported, and the upstream engines are the ones that follow them.
/// </summary>
public sealed class LocalEngine(IHoleFiller filler) : IImageEngine
{
    /// <summary>What pixels alone can honestly do: geometry, fills and re-synthesis, never a prompt's new content.</summary>
    public static EngineDescriptor Descriptor { get; } = new("local", new HashSet<EngineCapability>
    {
        EngineCapability.UploadPaint, EngineCapability.Edit, EngineCapability.Inpaint, EngineCapability.Remix,
        EngineCapability.Variation, EngineCapability.Upscale, EngineCapability.Outpaint, EngineCapability.Pan,
    }, FollowsPrompts: false);

    private const int PngCompressionLevel = 6;
    private const int JpegQuality = 90;
    private const int WebPQuality = 90;
    private const int WebPEffort = 4;
    private const long ParallelVariantsMaxPixels = 4L * 1024 * 1024;

    public Task<EngineOutput> RunAsync(EngineInput input, IProgress<int> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(progress);
        // CPU-bound from here on: off the request and worker threads.
        return Task.Run(() => Run(input, progress, cancellationToken), cancellationToken);
    }

    private EngineOutput Run(EngineInput input, IProgress<int> progress, CancellationToken cancellationToken)
    {
        var source = Decode(input.SourceImage ?? throw new InvalidOperationException("every operation has a source image"), "source image");
        progress.Report(10);
        cancellationToken.ThrowIfCancellationRequested();

        var variants = input.Operation switch
        {
            UploadPaint op => Paint(source, op.Canvas, op.Placement, op.Mask, input, progress, cancellationToken),
            Edit op => Paint(source, op.Canvas, op.Placement, op.Mask, input, progress, cancellationToken),
            Inpaint op => Repaint(source, MaskPainter.Paint(op.Mask, input.MaskImage, source.Width, source.Height), input.Seed, progress, cancellationToken),
            Remix op => Variants(input.Seed, (long)source.Width * source.Height, progress, seed => RemixPainter.Paint(source, op.Mode, seed, cancellationToken), cancellationToken),
            // Variation is remix without a new prompt: subtle renews texture in place, strong moves shapes.
            Variation op => Variants(input.Seed, (long)source.Width * source.Height, progress,
                seed => RemixPainter.Paint(source, op.Type == VariationType.Strong ? RemixMode.Strong : RemixMode.Subtle, seed, cancellationToken), cancellationToken),
            Outpaint or Pan => Extend(source, input, progress, cancellationToken),
            Upscale op => [Enlarge(source, op, cancellationToken)],
            _ => throw new EngineFailureException(FailureKind.InvalidParameters,
                $"the local engine does not serve {input.Operation.Kind}; an upstream engine must (see GET /v1/models)"),
        };

        var (format, encode) = Encoder(input.Operation.Output);
        var encoded = new byte[variants.Length][];
        Parallel.For(0, variants.Length, new ParallelOptions { CancellationToken = cancellationToken }, i => encoded[i] = encode(variants[i]));
        progress.Report(100);
        var (extension, contentType) = ImageFileTypes.Of(format);
        return new EngineOutput(encoded, extension, contentType);
    }

    private static (ImageFormat Format, Func<RgbaImage, byte[]> Encode) Encoder(OutputFormat output) => output switch
    {
        OutputFormat.Jpeg => (ImageFormat.Jpeg, image => ImageCodec.EncodeJpeg(image, JpegQuality, JpegSubsampling.Yuv420)),
        OutputFormat.Webp => (ImageFormat.WebP, image => ImageCodec.EncodeWebP(image, WebPQuality, lossless: false, WebPEffort)),
        _ => (ImageFormat.Png, image => ImageCodec.EncodePng(image, PngCompressionLevel)),
    };

    private RgbaImage[] Paint(RgbaImage source, CanvasSize canvasSize, Placement placement, MaskSpec? mask,
        EngineInput input, IProgress<int> progress, CancellationToken cancellationToken)
    {
        var (canvas, hole) = CanvasComposer.Compose(source, canvasSize, placement);
        if (mask is not null)
        {
            hole.UnionWith(MaskPainter.Paint(mask, input.MaskImage, canvas.Width, canvas.Height));
        }
        return Repaint(canvas, hole, input.Seed, progress, cancellationToken);
    }

    // Outpaint and pan: the source placed unscaled on the larger canvas (centred, or against the side opposite the
    // pan), and the uncovered part filled as an outpainting; the source's own pixels stay where they are.
    private RgbaImage[] Extend(RgbaImage source, EngineInput input, IProgress<int> progress, CancellationToken cancellationToken)
    {
        var size = CheckedSize(input.Operation, source);
        return Paint(source, size, ExtendedPlacement(input.Operation, size, source.Width, source.Height), mask: null, input, progress, cancellationToken);
    }

    /// <summary>Where outpaint and pan put the unscaled source on their larger canvas; upstreams sent the canvas use it too, so the geometry is one.</summary>
    internal static Placement ExtendedPlacement(Operation operation, CanvasSize size, int sourceWidth, int sourceHeight)
    {
        ArgumentNullException.ThrowIfNull(size);
        var (x, y) = operation switch
        {
            Pan { Direction: PanDirection.Left } => (size.Width - sourceWidth, 0),
            Pan { Direction: PanDirection.Up } => (0, size.Height - sourceHeight),
            Pan => (0, 0),
            _ => ((size.Width - sourceWidth) / 2, (size.Height - sourceHeight) / 2),
        };
        return new Placement(sourceWidth, sourceHeight, x, y);
    }

    // Upscale standard (and classic 2x / 4x): one image, each side times the factor. Creative is refused at create.
    private static RgbaImage Enlarge(RgbaImage source, Upscale op, CancellationToken cancellationToken)
    {
        if (op.Type == UpscaleType.Creative)
        {
            throw new EngineFailureException(FailureKind.InvalidParameters, "the local engine cannot invent detail (upscale type creative)");
        }
        _ = CheckedSize(op, source);
        cancellationToken.ThrowIfCancellationRequested();
        // Iterative back-projection over a Lanczos-3 start, clamped against ringing (measured against Lanczos-3 by
        // bench/Easel.Bench.Upscale).
        var result = Upscaler.Upscale(source, op.Factor, cancellationToken);
        MakeOpaque(result);
        return result;
    }

    // The result's size, refused when over the canvas limits (checked at create too, where the source's size is known).
    internal static CanvasSize CheckedSize(Operation operation, RgbaImage source)
    {
        var size = ResultGeometry.SizeOf(operation, source.Width, source.Height);
        return ResultGeometry.LimitBroken(size) is { } broken
            ? throw new EngineFailureException(FailureKind.InvalidParameters, $"The source is {source.Width}x{source.Height}: {broken}")
            : size;
    }

    private RgbaImage[] Repaint(RgbaImage image, AlphaMask hole, int seed, IProgress<int> progress, CancellationToken cancellationToken)
    {
        progress.Report(30);
        return Variants(seed, (long)image.Width * image.Height, progress, variantSeed =>
        {
            var filled = filler.Fill(image, hole, variantSeed, cancellationToken);
            // Soft edges (anti-aliased polygons, grey mask pixels, see-through image pixels) mix old and new.
            var result = image.Clone();
            Compositor.BlendByMask(result, filled, hole);
            MakeOpaque(result);
            return result;
        }, cancellationToken);
    }

    // Four variants from four seeds, in parallel; each one reports its share of the progress as it ends.
    // Four variants from four seeds: in parallel for ordinary sizes; one at a time for large images, so a task's
    // working memory stays one fill's (the fill takes about 150 bytes per pixel, 2.4 GB for a 16-megapixel canvas;
    // up to about 240 when most of the image is a smooth hole, whose whole membrane the seam blend solves).
    private static RgbaImage[] Variants(int seed, long pixels, IProgress<int> progress, Func<int, RgbaImage> paint, CancellationToken cancellationToken)
    {
        var results = new RgbaImage[OperationLimits.ImageCount];
        var done = 0;
        var parallel = new ParallelOptions
        {
            CancellationToken = cancellationToken,
            MaxDegreeOfParallelism = pixels > ParallelVariantsMaxPixels ? 1 : results.Length,
        };
        Parallel.For(0, results.Length, parallel, i =>
        {
            results[i] = paint(unchecked(seed + (i * 7919)));
            progress.Report(30 + (60 * Interlocked.Increment(ref done) / results.Length));
        });
        return results;
    }

    // Results are opaque: a canvas pixel is either the image or paint, never a window onto nothing.
    internal static void MakeOpaque(RgbaImage image)
    {
        var pixels = image.Pixels;
        for (var i = 3; i < pixels.Length; i += 4)
        {
            pixels[i] = 255;
        }
    }

    internal static RgbaImage Decode(ReadOnlyMemory<byte> bytes, string what)
    {
        try
        {
            return ImageCodec.Decode(bytes.Span, ImageLimits.MaxPixels);
        }
        catch (ImageDecodeException e)
        {
            throw new EngineFailureException(FailureKind.ImageProcessing, $"The {what} could not be used: {e.Message}", e);
        }
    }
}
