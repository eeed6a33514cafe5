using Easel.Imaging.Synthesis;

namespace Easel.Imaging;

/// <summary>
/// Patch-based content-aware fill: multi-scale completion by coherence optimisation (Wexler et al. 2007) over
/// PatchMatch nearest-neighbour fields (Barnes et al. 2009), with bidirectional similarity, similarity-weighted
/// voting, colour-and-gradient patch features, a reuse penalty and, for holes that reach the image border
/// (outpainting), a low-frequency guide; seams are removed by screened Poisson blending inside the hole.
/// Each finer level starts from the doubled field of the coarser one, voted with full-resolution patches.
/// Patches come from within 64 pixels of the hole (or three times its depth, if more).
/// Thin holes (at most 4 pixels from a known pixel, found by a distance transform) take a single-level path
/// that starts from the fast-marching fill.
/// </summary>
/// <remarks>
/// Thread-safe: an instance holds only options, and every call allocates its own working set, so the engine's
/// four variants run concurrently on one instance. Memory is O(pixels): a call allocates about 150 bytes per
/// image pixel in all (measured: 151 MB for 1024x1024 with a 25% hole, 39 MB for 512x512; 249 MB for a
/// 1024x1024 gradient with a 64% hole, the seam blend's largest case), so its peak is below that. The cancellation token is checked at every level, every iteration and every 1024 patches within one.
/// </remarks>
public sealed class PatchMatchFiller : IHoleFiller
{
    private readonly SynthesisOptions _options;

    /// <summary>Creates the filler with its default settings.</summary>
    public PatchMatchFiller()
        : this(SynthesisOptions.Default)
    {
    }

    internal PatchMatchFiller(SynthesisOptions options)
    {
        _options = options;
    }

    /// <inheritdoc />
    /// <remarks>If every pixel is a hole there is nothing to synthesise from, and the image is returned unchanged.</remarks>
    public RgbaImage Fill(RgbaImage image, AlphaMask hole, int seed, CancellationToken cancellationToken) =>
        FillWithReport(image, hole, seed, cancellationToken).Image;

    // The fill plus what the tests and the quality harness look at: which path ran and how much was reused.
    internal FillReport FillWithReport(RgbaImage image, AlphaMask hole, int seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(hole);
        if (hole.Width != image.Width || hole.Height != image.Height)
        {
            throw new ArgumentException($"The hole mask is {hole.Width}x{hole.Height}, the image {image.Width}x{image.Height}.", nameof(hole));
        }

        cancellationToken.ThrowIfCancellationRequested();
        int width = image.Width, height = image.Height;
        var unknown = new byte[width * height];
        var holeCount = 0;
        for (var i = 0; i < unknown.Length; i++)
        {
            if (hole.Values[i] > 0)
            {
                unknown[i] = 1;
                holeCount++;
            }
        }

        if (holeCount == 0 || holeCount == unknown.Length)
        {
            return new FillReport(image.Clone(), FillPath.Unchanged, 0, 0);
        }

        var depth = DistanceTransform.FromHole(unknown, width, height);
        var maxDepth = 0f;
        foreach (var d in depth)
        {
            if (d != float.MaxValue)
            {
                maxDepth = Math.Max(maxDepth, d);
            }
        }

        var thin = maxDepth <= _options.ThinDepth;
        var fallback = width < _options.FinePatchSize || height < _options.FinePatchSize;

        // Thin strokes start from the fast-marching fill (no seeded variation: the patches bring the texture).
        var start = thin && !fallback ? new FastMarchingFiller(5, 0f).Fill(image, hole, seed, cancellationToken) : image;
        var result = fallback ? null
            : Completion.Run(FeaturePlane.FromImage(start), unknown, depth, width, height, thin, _options, seed, cancellationToken);
        if (result is null)
        {
            // Too small for a patch, or no patch wholly outside the hole: the fast-marching fill is all there is.
            return new FillReport(new FastMarchingFiller().Fill(image, hole, seed, cancellationToken), FillPath.FastMarching, 0, 0);
        }

        var output = image.Clone();
        var pixels = output.Pixels;
        var f = result.Features;
        for (var i = 0; i < unknown.Length; i++)
        {
            if (unknown[i] == 0)
            {
                continue;
            }

            var o = i * FeaturePlane.Channels;
            var p = i * 4;
            pixels[p] = FeaturePlane.ToByte(f[o + FeaturePlane.Red]);
            pixels[p + 1] = FeaturePlane.ToByte(f[o + FeaturePlane.Green]);
            pixels[p + 2] = FeaturePlane.ToByte(f[o + FeaturePlane.Blue]);
            pixels[p + 3] = FeaturePlane.ToByte(f[o + FeaturePlane.Alpha] / FeaturePlane.AlphaWeight);
        }

        return new FillReport(output, thin ? FillPath.Thin : FillPath.MultiScale, result.Levels, result.MeanSharing, result.FinestStrays);
    }
}

internal enum FillPath
{
    Unchanged,
    FastMarching,
    Thin,
    MultiScale,
}

internal sealed record FillReport(RgbaImage Image, FillPath Path, int Levels, double MeanSharing, int FinestStrays = 0);
