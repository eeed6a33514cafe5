namespace Easel.Imaging.Synthesis;

// Coarse-to-fine completion of the unknown pixels of one image (see PatchSynthesizer for the per-level steps).
// Level 0 is the full image. A coarse pixel is known only if all its children are, so a coarse patch that
// counts as known never hides a hole pixel. The coarsest level starts from the push-pull extension and a
// random field; every finer level starts from the doubled field of the one below, voted with its own
// (full-resolution) source pixels, so the finest image is rebuilt from patches, not an upscaled coarse image.
internal static class Completion
{
    // FinestStrays: targets of the finest level whose doubled match was no source there (PatchSynthesizer.Upsample).
    public sealed record Result(float[] Features, SynthesisLevel Finest, int Levels, double MeanSharing, int FinestStrays);

    // `features` holds the image (unknown pixels: any start value; Telea's for the thin path); `unknown` the hole.
    // Null when no patch of the image is wholly known (nothing to copy from).
    public static Result? Run(float[] features, byte[] unknown, float[] depth, int width, int height, bool singleLevel,
        SynthesisOptions options, int seed, CancellationToken cancellationToken)
    {
        var rng = new XorShift(seed);
        var outpainting = TouchesBorder(unknown, width, height);
        var levels = BuildPyramid(features, unknown, depth, width, height, singleLevel, options, outpainting, cancellationToken);
        if (levels is null)
        {
            return null;
        }

        var coarsest = levels[^1];
        cancellationToken.ThrowIfCancellationRequested();

        if (!singleLevel)
        {
            PushPull.FillUnknown(coarsest.Target, coarsest.Unknown, coarsest.Width, coarsest.Height);
        }

        FeaturePlane.ComputeAllGradients(coarsest.Target, coarsest.Width, coarsest.Height);
        PatchSynthesizer.RandomInit(coarsest, ref rng, singleLevel ? options.ThinSearchRadius : 0);
        var finestStrays = 0;
        for (var l = levels.Count - 1; l >= 0; l--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var level = levels[l];
            options.Progress?.Invoke(l, -1);
            if (l < levels.Count - 1)
            {
                var strays = PatchSynthesizer.Upsample(levels[l + 1], level, ref rng);
                finestStrays = l == 0 ? strays : finestStrays;
                levels[l + 1].Release();
                for (var pass = 0; l == 0 && pass < options.AnchorPasses; pass++)
                {
                    PatchSynthesizer.AnchorPass(level, pass % 2 == 0, options.FineSearchRadius, ref rng, cancellationToken);
                }

                if (l == 0 && options.FinalVoteSharpness != 1f)
                {
                    PatchSynthesizer.SharpenWeights(level, options.FinalVoteSharpness);
                }

                PatchSynthesizer.Vote(level, 0, cancellationToken, l == 0 ? options.FinalVoteFootprint : -1, options.FinalVoteFullDepth,
                    options.FinalVoteFootprintTexture * options.TextureWeight, l == 0 ? options.FinalVoteGaussian : 0,
                    options.FinalVoteGaussianSmooth);
            }

            var iterations = singleLevel ? options.ThinIterations
                : l == levels.Count - 1 ? options.CoarseIterations
                : l == 0 ? options.FineIterations
                : options.MiddleIterations;
            var coarse = l >= 2 || l == levels.Count - 1;
            var radius = coarse ? Math.Max(level.Width, level.Height) : l == 1 ? options.MiddleSearchRadius : options.FineSearchRadius;
            if (singleLevel)
            {
                radius = options.ThinSearchRadius;
            }

            for (var iteration = 0; iteration < iterations; iteration++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                options.Progress?.Invoke(l, iteration);
                var meanCost = PatchSynthesizer.ComputeCosts(level, cancellationToken);
                PatchSynthesizer.CoherencePass(level, iteration % 2 == 0, radius, coarse || singleLevel, options.ReuseWeight * meanCost, ref rng, cancellationToken);
                // Completeness shapes what the hole is made of, which the coarse levels decide; at the finest level
                // (and on the thin path, whose patches are mostly known) it would cost a fifth of the time for nothing visible.
                var completeness = l > 0 ? options.CompletenessWeight : 0;
                if (completeness > 0)
                {
                    PatchSynthesizer.CompletenessPass(level, radius, ref rng, cancellationToken);
                }

                PatchSynthesizer.ComputeWeights(level, options.BoundaryConfidence, options.MinimumConfidence);
                PatchSynthesizer.Vote(level, completeness, cancellationToken);
            }
        }

        var finest = levels[0];
        var sharing = PatchSynthesizer.MeanSharing(finest);
        if (options.PoissonBlend)
        {
            ScreenedPoisson.Blend(finest, options.Screening, options.PoissonIterations, cancellationToken,
                options.SmoothSeamTexture * options.TextureWeight, options.SmoothSeamScreening);
        }

        return new Result(finest.Target, finest, levels.Count, sharing, finestStrays);
    }

    private static List<SynthesisLevel>? BuildPyramid(float[] features, byte[] unknown, float[] depth, int width, int height, bool singleLevel,
        SynthesisOptions options, bool outpainting, CancellationToken cancellationToken)
    {
        var reach = 0;
        if (options.SourceReach > 0 && !singleLevel)
        {
            var maxDepth = 0f;
            foreach (var d in depth)
            {
                maxDepth = d != float.MaxValue ? Math.Max(maxDepth, d) : maxDepth;
            }

            reach = (int)Math.Max(options.SourceReach, options.SourceReachPerDepth * maxDepth);
        }

        var finest = new SynthesisLevel(width, height, options.FinePatchSize, features, features, unknown);
        finest.Prepare(allSources: false, 0, depth, reach);
        if (finest.Sources.Length == 0)
        {
            return null;
        }

        FeaturePlane.ComputeAllGradients(features, width, height);
        if (options.TextureWeight > 0)
        {
            FeaturePlane.ComputeTexture(features, unknown, width, height, options.TextureWeight);
        }

        var levels = new List<SynthesisLevel> { finest };
        if (singleLevel)
        {
            return levels;
        }

        var current = finest;
        // Each coarser level's reach, doubled, stays inside the finer one's: a coarse source at Chebyshev distance d
        // from the coarse hole has children within 2d + 1 of the finer hole (a coarse pixel is unknown if any child
        // is). Halving the reach alone let the finest level start 1% of its targets (on the harness's stripes) from
        // matches outside its own reach, which it replaced by random sources and, never searching again, painted as
        // stray pixels (they held two thirds of the stripes' excess high-frequency energy).
        var levelReach = reach;
        // At least one coarser level: the finest is refined from a field, never searched from scratch.
        while (levels.Count < options.MaxLevels && (levels.Count == 1 || MaxDepth(current) > options.CoarsestDepth)
            && Math.Min(current.Width, current.Height) / 2 >= options.MinimumLevelSide)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = Downsample(current, options.CoarsePatchSize);
            levelReach = levelReach > 0 ? Math.Max(8, ((levelReach + current.Radius - 1) / 2) - next.Radius) : 0;
            next.Prepare(allSources: false, options.CompletenessBand, sourceReach: levelReach);
            if (next.Sources.Length < 16)
            {
                break;
            }

            levels.Add(next);
            current = next;
        }

        if (outpainting)
        {
            // The guide steers the levels that decide the layout; the finest inherits it through the field.
            for (var l = 1; l < levels.Count; l++)
            {
                AddGuide(levels[l], options.GuideStrength);
            }
        }

        return levels;
    }

    internal static SynthesisLevel Downsample(SynthesisLevel fine, int patchSize)
    {
        int fw = fine.Width, fh = fine.Height;
        int w = (fw + 1) / 2, h = (fh + 1) / 2;
        var features = new float[w * h * FeaturePlane.Channels];
        var unknown = new byte[w * h];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var i = (y * w) + x;
                int x0 = 2 * x, y0 = 2 * y, x1 = Math.Min(x0 + 1, fw - 1), y1 = Math.Min(y0 + 1, fh - 1);
                var a = (y0 * fw) + x0;
                var b = (y0 * fw) + x1;
                var c = (y1 * fw) + x0;
                var d = (y1 * fw) + x1;
                if ((fine.Unknown[a] | fine.Unknown[b] | fine.Unknown[c] | fine.Unknown[d]) != 0)
                {
                    unknown[i] = 1;
                    features[(i * FeaturePlane.Channels) + FeaturePlane.One] = 1;
                    continue;
                }

                var o = i * FeaturePlane.Channels;
                features[o + FeaturePlane.One] = 1;
                foreach (var ch in (ReadOnlySpan<int>)[FeaturePlane.Red, FeaturePlane.Green, FeaturePlane.Blue, FeaturePlane.Alpha, FeaturePlane.Texture])
                {
                    features[o + ch] = 0.25f * (fine.Target[(a * FeaturePlane.Channels) + ch] + fine.Target[(b * FeaturePlane.Channels) + ch]
                        + fine.Target[(c * FeaturePlane.Channels) + ch] + fine.Target[(d * FeaturePlane.Channels) + ch]);
                }
            }
        }

        FeaturePlane.ComputeAllGradients(features, w, h);
        return new SynthesisLevel(w, h, patchSize, features, features, unknown);
    }

    // Deep in an outpainted border nothing nearby constrains a patch; there, a source patch's mean colour must
    // also agree with the smooth extension of the image, so the border keeps the image's large-scale tones.
    private static void AddGuide(SynthesisLevel level, float strength)
    {
        int w = level.Width, h = level.Height, r = level.Radius;
        level.Guide = PushPull.Guide(level.Target, level.Unknown, w, h);
        var area = level.PatchSize * level.PatchSize;
        var weights = new float[level.PixelCount];
        foreach (var t in level.Targets)
        {
            var depth = level.Depth[t];
            weights[t] = strength * area * Math.Clamp((depth - r) / level.PatchSize, 0f, 1f);
        }

        level.GuideWeight = weights;

        // Box mean of each source patch by a summed-area table of the colour channels.
        var sat = new double[(w + 1) * (h + 1) * 3];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var v = level.Unknown[(y * w) + x] == 0 ? level.Target[(((y * w) + x) * FeaturePlane.Channels) + c] : 0;
                    sat[((((y + 1) * (w + 1)) + x + 1) * 3) + c] = v + sat[(((y * (w + 1)) + x + 1) * 3) + c]
                        + sat[((((y + 1) * (w + 1)) + x) * 3) + c] - sat[(((y * (w + 1)) + x) * 3) + c];
                }
            }
        }

        var means = new float[level.PixelCount * 3];
        foreach (var s in level.Sources)
        {
            int x = s % w, y = s / w;
            int x0 = x - r, y0 = y - r, x1 = x + r + 1, y1 = y + r + 1;
            for (var c = 0; c < 3; c++)
            {
                var sum = sat[(((y1 * (w + 1)) + x1) * 3) + c] - sat[(((y0 * (w + 1)) + x1) * 3) + c]
                    - sat[(((y1 * (w + 1)) + x0) * 3) + c] + sat[(((y0 * (w + 1)) + x0) * 3) + c];
                means[(s * 3) + c] = (float)(sum / area);
            }
        }

        level.SourceMean = means;
    }

    private static float MaxDepth(SynthesisLevel level)
    {
        var max = 0f;
        foreach (var p in level.UnknownList)
        {
            max = Math.Max(max, level.Depth[p]);
        }

        return max;
    }

    private static bool TouchesBorder(byte[] unknown, int width, int height)
    {
        for (var x = 0; x < width; x++)
        {
            if (unknown[x] != 0 || unknown[((height - 1) * width) + x] != 0)
            {
                return true;
            }
        }

        for (var y = 0; y < height; y++)
        {
            if (unknown[y * width] != 0 || unknown[(y * width) + width - 1] != 0)
            {
                return true;
            }
        }

        return false;
    }
}
