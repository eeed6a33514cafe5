using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Easel.Imaging.Synthesis;

// Gradient-domain seam removal. The voted fill V carries the texture's gradients but its values need not meet
// the known pixels exactly. Solve for f over the hole minimising |grad f - grad V|^2 + lambda |f - V|^2 with
// f = the known image on the hole's border; writing f = V + c, the correction c satisfies the screened
// Poisson equation (n + lambda) c_p = sum of neighbours c_q, with c on the known border = known - what the
// patches predicted there. Screening makes c fade over about 1/sqrt(lambda) pixels: a band just inside the
// hole absorbs the mismatch and the texture further in is untouched. Known pixels are never written.
// Solved by symmetric successive over-relaxation over the hole's pixels only; O(hole) memory and time.
internal static class ScreenedPoisson
{
    private const float Relaxation = 1.7f;

    private static readonly Vector256<float> DenormalGuard = Vector256.Create(1e-15f);

    // Beyond BandLengths decay lengths (1/sqrt(lambda)) the correction is below 2% of the border mismatch
    // (exp(-4)), so deeper pixels are left alone: the work is the band's, not the hole's, and the solver never
    // iterates on values so small they turn denormal (which slows x86 arithmetic a hundredfold).
    private const float BandLengths = 4f;
    private const float MaxBandDepth = 48f;

    // smoothTexture > 0: where neighbouring hole pixels were both copied from smooth content (texture energy of the
    // copied patch below it), the fill's own gradient between them is not followed: it is a step between two copies
    // of a smooth tone taken from different places, not detail. There f follows a membrane (zero gradient), screened
    // by smoothScreening (when not negative) towards the fill, so the steps melt into the tone around them. Still
    // only the band is solved: the whole hole cost 40-70% more time on large fills (memory-bound sweeps) for a
    // difference in the harness's scores within its noise.
    public static void Blend(SynthesisLevel level, float screening, int iterations, CancellationToken cancellationToken, float smoothTexture = 0, float smoothScreening = -1)
    {
        var bandDepth = Math.Min(MaxBandDepth, BandLengths / MathF.Sqrt(Math.Max(screening, 1e-4f)));
        var band = new List<int>();
        foreach (var p in level.UnknownList)
        {
            if (level.Depth[p] <= bandDepth)
            {
                band.Add(p);
            }
        }

        bool Smooth(int p) => smoothTexture > 0 && level.IsTarget[p] != 0
            && level.Source[(level.Nnf[p] * FeaturePlane.Channels) + FeaturePlane.Texture] < smoothTexture;

        var unknown = band.ToArray();
        var count = unknown.Length;
        if (count == 0)
        {
            return;
        }

        int w = level.Width, h = level.Height;
        // Band position by hole position; -1 for hole pixels deeper than the band.
        var index = new int[level.UnknownList.Length];
        Array.Fill(index, -1);
        for (var k = 0; k < count; k++)
        {
            index[level.HoleIndex[unknown[k]]] = k;
        }

        var neighbours = new int[count * 4];
        var fixedSum = new float[count * FeaturePlane.Channels];
        var diagonal = new float[count];
        ref var target = ref MemoryMarshal.GetArrayDataReference(level.Target);
        ref var fixedRef = ref MemoryMarshal.GetArrayDataReference(fixedSum);
        for (var k = 0; k < count; k++)
        {
            if (k % 4096 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var p = unknown[k];
            int x = p % w, y = p / w;
            var inImage = 0;
            var smoothHere = Smooth(p);
            var here = Vector256.LoadUnsafe(ref target, (nuint)(p * FeaturePlane.Channels));
            var slot = k * 4;
            ReadOnlySpan<(bool Inside, int Offset)> around = [(x > 0, -1), (x < w - 1, 1), (y > 0, -w), (y < h - 1, w)];
            foreach (var (inside, offset) in around)
            {
                neighbours[slot] = -1;
                if (inside)
                {
                    inImage++;
                    var q = p + offset;
                    if (level.Unknown[q] != 0)
                    {
                        // A neighbour deeper than the band keeps c = 0.
                        neighbours[slot] = index[level.HoleIndex[q]];
                        if (smoothHere && Smooth(q))
                        {
                            // Guidance 0 instead of the fill's step here - there.
                            var at = (nuint)(k * FeaturePlane.Channels);
                            (Vector256.LoadUnsafe(ref fixedRef, at) + Vector256.LoadUnsafe(ref target, (nuint)(q * FeaturePlane.Channels)) - here).StoreUnsafe(ref fixedRef, at);
                        }
                    }
                    else
                    {
                        // The mismatch on the border: the known pixel minus what the matched patches say it is (or,
                        // copied from smooth content, minus the fill itself: no step is kept across the border).
                        var voted = smoothHere ? here : PatchSynthesizer.Voted(level, q);
                        var known = Vector256.LoadUnsafe(ref target, (nuint)(q * FeaturePlane.Channels));
                        var correction = voted is { } v ? known - v : Vector256<float>.Zero;
                        var at = (nuint)(k * FeaturePlane.Channels);
                        (Vector256.LoadUnsafe(ref fixedRef, at) + correction).StoreUnsafe(ref fixedRef, at);
                    }
                }

                slot++;
            }

            diagonal[k] = 1f / (inImage + (smoothHere && smoothScreening >= 0 ? smoothScreening : screening));
        }

        var c = new float[count * FeaturePlane.Channels];
        ref var cRef = ref MemoryMarshal.GetArrayDataReference(c);
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var forward = iteration % 2 == 0;
            for (var j = 0; j < count; j++)
            {
                var k = forward ? j : count - 1 - j;
                var at = (nuint)(k * FeaturePlane.Channels);
                var sum = Vector256.LoadUnsafe(ref fixedRef, at);
                for (var s = k * 4; s < (k * 4) + 4; s++)
                {
                    var n = neighbours[s];
                    if (n >= 0)
                    {
                        sum += Vector256.LoadUnsafe(ref cRef, (nuint)(n * FeaturePlane.Channels));
                    }
                }

                var old = Vector256.LoadUnsafe(ref cRef, at);
                // Adding and taking away a small constant rounds corrections below about 1e-22 to zero: deep in a
                // large smooth area they would otherwise decay into denormals, on which x86 arithmetic is a
                // hundred times slower.
                (((old + ((sum * diagonal[k] - old) * Relaxation)) + DenormalGuard) - DenormalGuard).StoreUnsafe(ref cRef, at);
            }
        }

        for (var k = 0; k < count; k++)
        {
            var at = (nuint)(unknown[k] * FeaturePlane.Channels);
            (Vector256.LoadUnsafe(ref target, at) + Vector256.LoadUnsafe(ref cRef, (nuint)(k * FeaturePlane.Channels))).StoreUnsafe(ref target, at);
        }
    }
}
