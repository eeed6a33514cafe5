using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Easel.Imaging.Synthesis;

// Gradient-domain seam removal. The voted fill V carries the texture's gradients but its values need not meet
// the known pixels exactly. Solve for f over the hole minimising |grad f - grad V|^2 + lambda |f - V|^2 with
// f = the known image on the hole's border; writing f = V + c, the correction c satisfies the screened
// Poisson equation (n + lambda) c_p = sum of neighbours c_q, with c on the known border = known - what the
// patches predicted there. Screening makes c fade over about 1/sqrt(lambda) pixels: a band just inside the
// hole absorbs the mismatch and the texture further in is untouched. Known pixels are never written.
// Solved for the channels that become the picture (red, green, blue, alpha) by conjugate gradients with a multigrid
// preconditioner (GridMultigrid) over the hole's pixels only; O(hole) memory and time.
internal static class ScreenedPoisson
{
    // Beyond BandLengths decay lengths (1/sqrt(lambda)) the correction is below 2% of the border mismatch
    // (exp(-4)), so deeper textured pixels are left alone: the work is the band's, not the hole's.
    private const float BandLengths = 4f;
    private const float MaxBandDepth = 48f;

    // smoothTexture > 0: where neighbouring hole pixels were both copied from smooth content (texture energy of the
    // copied patch below it), the fill's own gradient between them is not followed: it is a step between two copies
    // of a smooth tone taken from different places, not detail. There f follows a membrane (zero gradient), screened
    // by smoothScreening (when not negative) towards the fill, so the steps melt into the tone around them. Still
    // the band is solved, and with it every smooth pixel however deep: a membrane across a large smooth hole is what
    // the multigrid solve converges in a few iterations, where sweeps alone left the copies' steps deeper than the
    // band (the harness's thick holes in the procedural gradient).
    public static void Blend(SynthesisLevel level, float screening, int iterations, CancellationToken cancellationToken, float smoothTexture = 0, float smoothScreening = -1)
    {
        var bandDepth = Math.Min(MaxBandDepth, BandLengths / MathF.Sqrt(Math.Max(screening, 1e-4f)));
        // Whether each hole pixel (by hole position) was copied from smooth content: read once here, as the copied
        // patches lie anywhere in the image and each pixel is asked about again by up to four neighbours.
        var smooth = new bool[level.UnknownList.Length];
        var count = 0;
        for (var i = 0; i < smooth.Length; i++)
        {
            var p = level.UnknownList[i];
            smooth[i] = smoothTexture > 0 && level.IsTarget[p] != 0
                && level.Source[(level.Nnf[p] * FeaturePlane.Channels) + FeaturePlane.Texture] < smoothTexture;
            count += smooth[i] || level.Depth[p] <= bandDepth ? 1 : 0;
        }

        bool Smooth(int p) => smooth[level.HoleIndex[p]];

        var unknown = new int[count];
        count = 0;
        for (var i = 0; i < smooth.Length; i++)
        {
            var p = level.UnknownList[i];
            if (smooth[i] || level.Depth[p] <= bandDepth)
            {
                unknown[count++] = p;
            }
        }

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
        var rhs = new float[count * GridMultigrid.Lanes];
        var diagonal = new float[count];
        var screenings = new float[count];
        ref var target = ref MemoryMarshal.GetArrayDataReference(level.Target);
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
            var fixedSum = Vector256<float>.Zero;
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
                            fixedSum += Vector256.LoadUnsafe(ref target, (nuint)(q * FeaturePlane.Channels)) - here;
                        }
                    }
                    else
                    {
                        // The mismatch on the border: the known pixel minus what the matched patches say it is (or,
                        // copied from smooth content, minus the fill itself: no step is kept across the border).
                        var voted = smoothHere ? here : PatchSynthesizer.Voted(level, q);
                        var known = Vector256.LoadUnsafe(ref target, (nuint)(q * FeaturePlane.Channels));
                        fixedSum += voted is { } v ? known - v : Vector256<float>.Zero;
                    }
                }

                slot++;
            }

            // Only the channels that become the picture are solved.
            rhs[k * GridMultigrid.Lanes] = fixedSum[FeaturePlane.Red];
            rhs[(k * GridMultigrid.Lanes) + 1] = fixedSum[FeaturePlane.Green];
            rhs[(k * GridMultigrid.Lanes) + 2] = fixedSum[FeaturePlane.Blue];
            rhs[(k * GridMultigrid.Lanes) + 3] = fixedSum[FeaturePlane.Alpha];
            screenings[k] = smoothHere && smoothScreening >= 0 ? smoothScreening : screening;
            diagonal[k] = inImage + screenings[k];
        }

        var c = new float[count * GridMultigrid.Lanes];
        new GridMultigrid(unknown, w, neighbours, diagonal, screenings, cancellationToken).Solve(c, rhs, iterations, cancellationToken);
        for (var k = 0; k < count; k++)
        {
            var at = unknown[k] * FeaturePlane.Channels;
            level.Target[at + FeaturePlane.Red] += c[k * GridMultigrid.Lanes];
            level.Target[at + FeaturePlane.Green] += c[(k * GridMultigrid.Lanes) + 1];
            level.Target[at + FeaturePlane.Blue] += c[(k * GridMultigrid.Lanes) + 2];
            level.Target[at + FeaturePlane.Alpha] += c[(k * GridMultigrid.Lanes) + 3];
        }
    }
}
