using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Easel.Imaging.Synthesis;

// The steps of Wexler, Shechtman and Irani's completion ("Space-Time Completion of Video", PAMI 2007) on one
// pyramid level, with Barnes et al.'s PatchMatch (SIGGRAPH 2009) as the nearest-neighbour search:
// E-step: for every target patch (a patch touching the hole) find the most similar known patch
// (propagation from the scan neighbours, then a random search in shrinking windows); M-step: every unknown
// pixel becomes the similarity-weighted mean of what the overlapping patches' matches say it is. The
// completeness term of bidirectional similarity (Simakov et al., CVPR 2008) adds votes from known patches near
// the hole toward the target patch each resembles most, so the fill uses what surrounds it rather than
// one good patch everywhere. Two extra costs: a reuse penalty (a source patch already used elsewhere costs
// more, so outpainted borders are not tiled copies) and, for outpainting, the distance of a source patch's
// mean colour to a smooth low-frequency guide.
// Everything is single-threaded per call: the engine runs four variants at once and each owns its levels.
internal static class PatchSynthesizer
{
    private const int CancellationStride = 1024;

    // A random field; with `localRadius` > 0 each target starts at a random valid source near itself (the thin
    // path's start is already close, and nearby sources share cache lines with the target's own rows).
    public static void RandomInit(SynthesisLevel level, ref XorShift rng, int localRadius = 0)
    {
        int w = level.Width, r = level.Radius;
        foreach (var t in level.Targets)
        {
            var q = -1;
            for (var attempt = 0; attempt < 8 && localRadius > 0 && q < 0; attempt++)
            {
                var cx = Math.Clamp((t % w) + rng.Offset(localRadius), r, w - r - 1);
                var cy = Math.Clamp((t / w) + rng.Offset(localRadius), r, level.Height - r - 1);
                var c = (cy * w) + cx;
                if (level.ValidSource[c] != 0 && !Forbidden(level, t, c))
                {
                    q = c;
                }
            }

            level.Nnf[t] = q >= 0 ? q : RandomSource(level, t, ref rng);
        }

        RecountUsage(level);
        if (level.BandSources.Length > 0 && level.Targets.Length > 0)
        {
            for (var j = 0; j < level.BandSources.Length; j++)
            {
                level.BandNnf[j] = level.Targets[rng.Below(level.Targets.Length)];
            }
        }
    }

    // The coarse field doubled: each fine target takes its coarse parent's match, offset by its position in the parent.
    // Returns how many targets found no source there and start from a random one (strays: at the finest level, which
    // is not searched again, each would put a pixel from anywhere in the image into the fill).
    public static int Upsample(SynthesisLevel coarse, SynthesisLevel fine, ref XorShift rng)
    {
        int cw = coarse.Width, fw = fine.Width, cr = coarse.Radius, fr = fine.Radius;
        var strays = 0;
        foreach (var t in fine.Targets)
        {
            int x = t % fw, y = t / fw;
            var cx = Math.Clamp(x / 2, cr, coarse.Width - cr - 1);
            var cy = Math.Clamp(y / 2, cr, coarse.Height - cr - 1);
            var c = (cy * cw) + cx;
            var q = -1;
            if (coarse.IsTarget[c] != 0)
            {
                var qc = coarse.Nnf[c];
                int qx = ((qc % cw) * 2) + (x - (2 * cx)), qy = ((qc / cw) * 2) + (y - (2 * cy));
                qx = Math.Clamp(qx, fr, fw - fr - 1);
                qy = Math.Clamp(qy, fr, fine.Height - fr - 1);
                q = (qy * fw) + qx;
                if (fine.ValidSource[q] == 0 || Forbidden(fine, t, q))
                {
                    q = -1;
                }

                fine.Weight[t] = coarse.Weight[c];
            }
            else
            {
                fine.Weight[t] = 1f;
            }

            if (q < 0)
            {
                q = RandomSource(fine, t, ref rng);
                strays++;
            }

            fine.Nnf[t] = q;
        }

        RecountUsage(fine);
        if (fine.BandSources.Length > 0 && fine.Targets.Length > 0)
        {
            for (var j = 0; j < fine.BandSources.Length; j++)
            {
                fine.BandNnf[j] = fine.Targets[rng.Below(fine.Targets.Length)];
            }
        }

        return strays;
    }

    public static float ComputeCosts(SynthesisLevel level, CancellationToken cancellationToken)
    {
        var stride = level.Width * FeaturePlane.Channels;
        double total = 0;
        var targets = level.Targets;
        for (var k = 0; k < targets.Length; k++)
        {
            if (k % CancellationStride == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var t = targets[k];
            var cost = PatchDistance.Compute(level.Target, level.CornerOffset(t), level.Source, level.CornerOffset(level.Nnf[t]), stride, level.PatchSize, float.MaxValue);
            level.Cost[t] = cost;
            total += cost;
        }

        for (var j = 0; j < level.BandSources.Length; j++)
        {
            level.BandCost[j] = PatchDistance.Compute(level.Target, level.CornerOffset(level.BandNnf[j]), level.Source, level.CornerOffset(level.BandSources[j]), stride, level.PatchSize, float.MaxValue);
        }

        return targets.Length == 0 ? 1f : (float)(total / targets.Length);
    }

    // One PatchMatch sweep over the targets; `reuseUnit` is the reuse penalty per other user of a source patch.
    public static void CoherencePass(SynthesisLevel level, bool forward, int searchRadius, bool randomJump, float reuseUnit,
        ref XorShift rng, CancellationToken cancellationToken)
    {
        var targets = level.Targets;
        var w = level.Width;
        var step = forward ? 1 : -1;
        var nnf = level.Nnf;
        var isTarget = level.IsTarget;
        int r = level.Radius, maxX = level.Width - r - 1, maxY = level.Height - r - 1;
        var count = targets.Length;
        for (var k = 0; k < count; k++)
        {
            if (k % CancellationStride == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var t = targets[forward ? k : count - 1 - k];
            var current = nnf[t];
            var best = new Candidate(current, level.Cost[t], level.Cost[t] + Extra(level, t, current, reuseUnit, level.Usage[current] - 1));

            var n = t - step;
            if (isTarget[n] != 0)
            {
                Try(level, t, nnf[n] + step, reuseUnit, ref best);
            }

            n = t - (step * w);
            if (isTarget[n] != 0)
            {
                Try(level, t, nnf[n] + (step * w), reuseUnit, ref best);
            }

            if (randomJump)
            {
                Try(level, t, level.Sources[rng.Below(level.Sources.Length)], reuseUnit, ref best);
            }

            int bx = best.Source % w, by = best.Source / w;
            for (var radius = searchRadius; radius >= 1; radius >>= 1)
            {
                var cx = Math.Clamp(bx + rng.Offset(radius), r, maxX);
                var cy = Math.Clamp(by + rng.Offset(radius), r, maxY);
                Try(level, t, (cy * w) + cx, reuseUnit, ref best);
            }

            if (best.Source != current)
            {
                level.Usage[current]--;
                level.Usage[best.Source]++;
                nnf[t] = best.Source;
                level.Cost[t] = best.Distance;
            }
        }
    }

    // At the finest level, after the field is doubled from the coarser one: the targets whose patch straddles
    // the hole's border (centre at most a patch radius from known pixels) are re-aligned, by PatchMatch over their
    // known pixels only, to the full-resolution texture they continue. The doubled field is only as precise as
    // the coarser level, and matching the provisional (blurred) fill too would pull these patches toward smooth
    // sources; the rim of the hole (seam, structure continuing across it) is made of these patches.
    public static void AnchorPass(SynthesisLevel level, bool forward, int searchRadius, ref XorShift rng, CancellationToken cancellationToken)
    {
        var targets = level.Targets;
        int w = level.Width, r = level.Radius, maxX = level.Width - r - 1, maxY = level.Height - r - 1;
        var step = forward ? 1 : -1;
        var nnf = level.Nnf;
        var count = targets.Length;
        for (var k = 0; k < count; k++)
        {
            if (k % CancellationStride == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var t = targets[forward ? k : count - 1 - k];
            if (level.Depth[t] > r)
            {
                continue;
            }

            var best = nnf[t];
            var bestCost = PatchDistance.ComputeKnown(level.Target, t, level.Source, best, level.Unknown, w, r, float.MaxValue);

            void Consider(int candidate)
            {
                // A source another target already copies is not taken: the alignment must not undo the reuse
                // penalty's spread (an outpainted border's rim would turn into a tiled copy).
                if ((uint)candidate >= (uint)level.PixelCount || level.ValidSource[candidate] == 0 || candidate == best || Forbidden(level, t, candidate)
                    || level.Usage[candidate] > 0)
                {
                    return;
                }

                var d = PatchDistance.ComputeKnown(level.Target, t, level.Source, candidate, level.Unknown, w, r, bestCost);
                if (d < bestCost)
                {
                    bestCost = d;
                    best = candidate;
                }
            }

            var n = t - step;
            if (level.IsTarget[n] != 0)
            {
                Consider(nnf[n] + step);
            }

            n = t - (step * w);
            if (level.IsTarget[n] != 0)
            {
                Consider(nnf[n] + (step * w));
            }

            int bx = best % w, by = best / w;
            for (var radius = searchRadius; radius >= 1; radius >>= 1)
            {
                Consider((Math.Clamp(by + rng.Offset(radius), r, maxY) * w) + Math.Clamp(bx + rng.Offset(radius), r, maxX));
            }

            if (best != nnf[t])
            {
                level.Usage[nnf[t]]--;
                level.Usage[best]++;
                nnf[t] = best;
            }
        }
    }

    // The completeness field: for each known patch near the hole, the target patch that resembles it most.
    public static void CompletenessPass(SynthesisLevel level, int searchRadius, ref XorShift rng, CancellationToken cancellationToken)
    {
        var band = level.BandSources;
        if (band.Length == 0 || level.Targets.Length == 0)
        {
            return;
        }

        var w = level.Width;
        var stride = w * FeaturePlane.Channels;
        int r = level.Radius, maxX = level.Width - r - 1, maxY = level.Height - r - 1;
        for (var j = 0; j < band.Length; j++)
        {
            if (j % CancellationStride == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var q = band[j];
            var qCorner = level.CornerOffset(q);
            var best = level.BandNnf[j];
            var bestCost = level.BandCost[j];

            void Consider(int candidate)
            {
                if ((uint)candidate >= (uint)level.PixelCount || level.IsTarget[candidate] == 0 || candidate == best)
                {
                    return;
                }

                var d = PatchDistance.Compute(level.Target, level.CornerOffset(candidate), level.Source, qCorner, stride, level.PatchSize, bestCost);
                if (d < bestCost)
                {
                    bestCost = d;
                    best = candidate;
                }
            }

            if (j > 0 && band[j - 1] == q - 1)
            {
                Consider(level.BandNnf[j - 1] + 1);
            }

            Consider(level.Targets[rng.Below(level.Targets.Length)]);
            int bx = best % w, by = best / w;
            for (var radius = searchRadius; radius >= 1; radius >>= 1)
            {
                Consider((Math.Clamp(by + rng.Offset(radius), r, maxY) * w) + Math.Clamp(bx + rng.Offset(radius), r, maxX));
            }

            level.BandNnf[j] = best;
            level.BandCost[j] = bestCost;
        }
    }

    // Similarity weights exp(-d / 2 sigma^2) with sigma^2 the mean patch cost, so weights do not depend on the
    // image's contrast; a patch as good as average weighs 0.6, one three times worse 0.2.
    public static void ComputeWeights(SynthesisLevel level, float boundaryConfidence = 1f, float minimumConfidence = 1f)
    {
        double total = 0;
        foreach (var t in level.Targets)
        {
            total += level.Cost[t];
        }

        var scale = -1f / (2f * Math.Max(1e-3f, (float)(total / Math.Max(1, level.Targets.Length))));
        foreach (var t in level.Targets)
        {
            var depth = level.Depth.Length > 0 ? level.Depth[t] : 0f;
            var confidence = boundaryConfidence == 1f ? 1f : Math.Max(minimumConfidence, MathF.Pow(boundaryConfidence, -depth));
            level.Weight[t] = (MathF.Exp(level.Cost[t] * scale) * confidence) + 1e-6f;
        }
    }

    public static void SharpenWeights(SynthesisLevel level, float power)
    {
        foreach (var t in level.Targets)
        {
            level.Weight[t] = MathF.Pow(level.Weight[t], power) + 1e-9f;
        }
    }

    // M-step: every unknown pixel becomes the weighted mean of the pixels the overlapping matches put there.
    // Each target scatters its weighted source patch into an accumulator (rows of vectors, read and written in
    // order); the constant-1 feature channel sums the weights alongside. Known pixels receive votes too: the
    // seam blending reads what the patches say about the hole's border.
    public static void Vote(SynthesisLevel level, float completenessWeight, CancellationToken cancellationToken, int footprint = -1, float fullDepth = 0,
        float footprintTexture = 0, float gaussian = 0, float smoothGaussian = 0)
    {
        if (level.Targets.Length == 0)
        {
            return;
        }

        int w = level.Width, top = level.TargetTop;
        var rows = level.TargetBottom - top + 1;
        var length = rows * w * FeaturePlane.Channels;
        if (level.Accumulator.Length != length)
        {
            level.Accumulator = new float[length];
        }
        else
        {
            Array.Clear(level.Accumulator);
        }

        var accumulator = level.Accumulator;
        var stride = w * FeaturePlane.Channels;
        var shift = (level.Radius * (w + 1)) + (top * w);
        var targets = level.Targets;
        var sharpKernel = gaussian > 0 ? GaussianKernel(level.PatchSize, gaussian) : null;
        var sharpReach = Math.Clamp((int)MathF.Ceiling(1.5f * gaussian), 1, level.Radius);
        var smoothKernel = smoothGaussian > 0 ? GaussianKernel(level.PatchSize, smoothGaussian) : sharpKernel;
        var smoothReach = smoothGaussian > 0 ? Math.Clamp((int)MathF.Ceiling(1.5f * smoothGaussian), 1, level.Radius) : sharpReach;
        for (var k = 0; k < targets.Length; k++)
        {
            if (k % CancellationStride == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var t = targets[k];
            if (sharpKernel is not null && level.Depth[t] > fullDepth)
            {
                // Copies of smooth content (below footprintTexture) take the wide kernel: there neighbouring copies
                // differ in colour, not texture, and narrow votes would show their steps as false detail.
                var smooth = level.Source[(level.Nnf[t] * FeaturePlane.Channels) + FeaturePlane.Texture] < footprintTexture;
                var kernel = smooth ? smoothKernel! : sharpKernel;
                var reach = smooth ? smoothReach : sharpReach;
                // The kernel's window (1.5 sigma, at most the patch), stretched to the image's edge like the footprint's.
                int gx = t % w, gy = t / w, gr = level.Radius;
                int gLeft = gx == gr ? gr : reach, gRight = gx == w - gr - 1 ? gr : reach;
                int gUp = gy == gr ? gr : reach, gDown = gy == level.Height - gr - 1 ? gr : reach;
                var gOffset = (gUp * w) + gLeft;
                AddWeightedWindow(accumulator, (t - gOffset - (top * w)) * FeaturePlane.Channels, level.Source, (level.Nnf[t] - gOffset) * FeaturePlane.Channels, stride,
                    gLeft + gRight + 1, gUp + gDown + 1, kernel, ((gr - gUp) * level.PatchSize) + gr - gLeft, level.PatchSize, level.Weight[t]);
                continue;
            }

            if (footprint < 0 || footprint >= level.Radius || level.Depth[t] <= fullDepth || sharpKernel is not null
                || level.Source[(level.Nnf[t] * FeaturePlane.Channels) + FeaturePlane.Texture] < footprintTexture)
            {
                AddPatch(accumulator, (t - shift) * FeaturePlane.Channels, level.Source, level.CornerOffset(level.Nnf[t]), stride, level.PatchSize, level.Weight[t]);
                continue;
            }

            // Only the window of `footprint` pixels around the centre, stretched to the image's edge for centres
            // next to it (no centre lies nearer the edge than Radius, so nothing else would cover those pixels).
            int x = t % w, y = t / w, r = level.Radius;
            int left = x == r ? r : footprint, right = x == w - r - 1 ? r : footprint;
            int up = y == r ? r : footprint, down = y == level.Height - r - 1 ? r : footprint;
            var offset = (up * w) + left;
            AddWindow(accumulator, (t - offset - (top * w)) * FeaturePlane.Channels, level.Source, (level.Nnf[t] - offset) * FeaturePlane.Channels, stride,
                left + right + 1, up + down + 1, level.Weight[t]);
        }

        if (completenessWeight > 0 && level.BandSources.Length > 0)
        {
            var band = level.BandSources;
            double total = 0;
            for (var j = 0; j < band.Length; j++)
            {
                total += level.BandCost[j];
            }

            var scale = -1f / (2f * Math.Max(1e-3f, (float)(total / band.Length)));
            for (var j = 0; j < band.Length; j++)
            {
                var weight = (MathF.Exp(level.BandCost[j] * scale) + 1e-6f) * completenessWeight;
                AddPatch(accumulator, (level.BandNnf[j] - shift) * FeaturePlane.Channels, level.Source, level.CornerOffset(band[j]), stride, level.PatchSize, weight);
            }
        }

        ref var target = ref MemoryMarshal.GetArrayDataReference(level.Target);
        ref var acc = ref MemoryMarshal.GetArrayDataReference(accumulator);
        foreach (var p in level.UnknownList)
        {
            var sum = Vector256.LoadUnsafe(ref acc, (nuint)((p - (top * w)) * FeaturePlane.Channels));
            var weight = sum.GetElement(FeaturePlane.One);
            if (weight > 0)
            {
                (sum / weight).StoreUnsafe(ref target, (nuint)(p * FeaturePlane.Channels));
            }
        }

        RefreshGradients(level);
    }

    // What the last vote said about pixel p (any pixel a target patch covers), or null if no patch covers it.
    public static Vector256<float>? Voted(SynthesisLevel level, int p)
    {
        var y = p / level.Width;
        if (y < level.TargetTop || y > level.TargetBottom || level.Accumulator.Length == 0)
        {
            return null;
        }

        var sum = Vector256.Create(level.Accumulator, (p - (level.TargetTop * level.Width)) * FeaturePlane.Channels);
        var weight = sum.GetElement(FeaturePlane.One);
        return weight > 0 ? sum / weight : null;
    }

    // Per-pixel weights of a size x size patch, exp(-d^2 / 2 sigma^2) of the distance from its centre, 1 there.
    private static float[] GaussianKernel(int size, float sigma)
    {
        var kernel = new float[size * size];
        var r = size / 2;
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                kernel[(y * size) + x] = MathF.Exp(-(((x - r) * (x - r)) + ((y - r) * (y - r))) / (2 * sigma * sigma));
            }
        }

        return kernel;
    }

    private static void AddWeightedWindow(float[] accumulator, int at, float[] source, int from, int stride, int columns, int rows, float[] kernel, int kernelAt,
        int kernelStride, float weight)
    {
        ref var acc = ref MemoryMarshal.GetArrayDataReference(accumulator);
        ref var src = ref MemoryMarshal.GetArrayDataReference(source);
        var a = (nuint)at;
        var s = (nuint)from;
        for (var row = 0; row < rows; row++)
        {
            for (var col = 0; col < columns; col++)
            {
                var k = (nuint)(col * FeaturePlane.Channels);
                var wv = Vector256.Create(weight * kernel[kernelAt + (row * kernelStride) + col]);
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref src, s + k), wv, Vector256.LoadUnsafe(ref acc, a + k)).StoreUnsafe(ref acc, a + k);
            }

            a += (nuint)stride;
            s += (nuint)stride;
        }
    }

    private static void AddWindow(float[] accumulator, int at, float[] source, int from, int stride, int columns, int rows, float weight)
    {
        ref var acc = ref MemoryMarshal.GetArrayDataReference(accumulator);
        ref var src = ref MemoryMarshal.GetArrayDataReference(source);
        var wv = Vector256.Create(weight);
        var a = (nuint)at;
        var s = (nuint)from;
        var rowLength = (nuint)(columns * FeaturePlane.Channels);
        for (var row = 0; row < rows; row++)
        {
            for (nuint k = 0; k < rowLength; k += 8)
            {
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref src, s + k), wv, Vector256.LoadUnsafe(ref acc, a + k)).StoreUnsafe(ref acc, a + k);
            }

            a += (nuint)stride;
            s += (nuint)stride;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddPatch(float[] accumulator, int at, float[] source, int from, int stride, int size, float weight)
    {
        ref var acc = ref MemoryMarshal.GetArrayDataReference(accumulator);
        ref var src = ref MemoryMarshal.GetArrayDataReference(source);
        var rowLength = (nuint)(size * FeaturePlane.Channels);
        var a = (nuint)at;
        var s = (nuint)from;
        if (Vector512.IsHardwareAccelerated)
        {
            var w512 = Vector512.Create(weight);
            var w256 = Vector256.Create(weight);
            for (var row = 0; row < size; row++)
            {
                nuint k = 0;
                for (; k + 16 <= rowLength; k += 16)
                {
                    Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref src, s + k), w512, Vector512.LoadUnsafe(ref acc, a + k)).StoreUnsafe(ref acc, a + k);
                }

                if (k < rowLength)
                {
                    Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref src, s + k), w256, Vector256.LoadUnsafe(ref acc, a + k)).StoreUnsafe(ref acc, a + k);
                }

                a += (nuint)stride;
                s += (nuint)stride;
            }

            return;
        }

        var wv = Vector256.Create(weight);
        for (var row = 0; row < size; row++)
        {
            for (nuint k = 0; k < rowLength; k += 8)
            {
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref src, s + k), wv, Vector256.LoadUnsafe(ref acc, a + k)).StoreUnsafe(ref acc, a + k);
            }

            a += (nuint)stride;
            s += (nuint)stride;
        }
    }

    // After a vote: the gradients of the hole's bounding box grown by one pixel (known pixels' central
    // differences read the hole's border pixels).
    public static void RefreshGradients(SynthesisLevel level)
    {
        var (x0, y0, x1, y1) = level.HoleBox;
        if (x1 < x0)
        {
            return;
        }

        FeaturePlane.ComputeGradients(level.Target, level.Width, level.Height,
            Math.Max(0, x0 - 1), Math.Max(0, y0 - 1), Math.Min(level.Width - 1, x1 + 1), Math.Min(level.Height - 1, y1 + 1));
    }

    public static void RecountUsage(SynthesisLevel level)
    {
        Array.Clear(level.Usage);
        foreach (var t in level.Targets)
        {
            level.Usage[level.Nnf[t]]++;
        }
    }

    // Diagnostics for tests and the harness: over the target patches, the mean number of targets copying the
    // same source patch (1 = every copy distinct; a border tiled k times from one region scores about k).
    public static double MeanSharing(SynthesisLevel level)
    {
        long sum = 0;
        foreach (var t in level.Targets)
        {
            sum += level.Usage[level.Nnf[t]];
        }

        return level.Targets.Length == 0 ? 0 : (double)sum / level.Targets.Length;
    }

    private static int RandomSource(SynthesisLevel level, int t, ref XorShift rng)
    {
        var q = level.Sources[rng.Below(level.Sources.Length)];
        for (var attempt = 0; attempt < 8 && Forbidden(level, t, q); attempt++)
        {
            q = level.Sources[rng.Below(level.Sources.Length)];
        }

        return q;
    }

    // Remix forbids a target from copying itself or its immediate surroundings, or nothing would change.
    private static bool Forbidden(SynthesisLevel level, int t, int q)
    {
        var f = level.ForbidRadius;
        if (f == 0)
        {
            return false;
        }

        var w = level.Width;
        return Math.Abs((t % w) - (q % w)) < f && Math.Abs((t / w) - (q / w)) < f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Extra(SynthesisLevel level, int t, int q, float reuseUnit, int otherUsers)
    {
        var extra = reuseUnit * otherUsers;
        if (level.GuideWeight is { } guideWeight && guideWeight[t] > 0)
        {
            var mean = level.SourceMean!;
            var guide = level.Guide!;
            float dr = mean[q * 3] - guide[t * 3], dg = mean[(q * 3) + 1] - guide[(t * 3) + 1], db = mean[(q * 3) + 2] - guide[(t * 3) + 2];
            extra += guideWeight[t] * ((dr * dr) + (dg * dg) + (db * db));
        }

        return extra;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Try(SynthesisLevel level, int t, int candidate, float reuseUnit, ref Candidate best)
    {
        if ((uint)candidate >= (uint)level.PixelCount || level.ValidSource[candidate] == 0 || candidate == best.Source || Forbidden(level, t, candidate))
        {
            return;
        }

        var extra = Extra(level, t, candidate, reuseUnit, level.Usage[candidate]);
        if (extra >= best.Total)
        {
            return;
        }

        var limit = best.Total - extra;
        var d = PatchDistance.Compute(level.Target, level.CornerOffset(t), level.Source, level.CornerOffset(candidate),
            level.Width * FeaturePlane.Channels, level.PatchSize, limit);
        if (d < limit)
        {
            best = new Candidate(candidate, d, d + extra);
        }
    }

    private record struct Candidate(int Source, float Distance, float Total);
}
