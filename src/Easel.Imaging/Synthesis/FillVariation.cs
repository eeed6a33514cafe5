namespace Easel.Imaging.Synthesis;

// The deterministic fill is the same for every seed; this adds what makes variants differ: low-frequency
// colour drift plus fine grain, both seeded value noise. Amplitudes follow the local standard deviation
// of the known pixels (carried into the hole by the fill), so flat areas stay calm and textured ones get
// texture back, and they fade in over the first pixels from the boundary so no seam appears.
internal static class FillVariation
{
    private const float BaseDrift = 8f;
    private const float DriftPerDeviation = 0.7f;
    private const float MaxDrift = 28f;
    private const float GrainPerDeviation = 0.6f;
    private const float MaxGrain = 20f;
    private const float GrainCell = 1.7f;
    private const float FadeDistance = 4f;

    public static void Apply(TeleaInpainter fill, byte[] pixels, int seed, float strength, CancellationToken cancellationToken)
    {
        if (strength <= 0)
        {
            return;
        }

        var (left, top, right, bottom) = fill.HoleBounds;
        var cell = Math.Clamp(Math.Max(right - left + 1, bottom - top + 1) / 6f, 6f, 48f);
        var baseSeed = ValueNoise.Mix((uint)seed ^ 0xA5A5_5A5Au);
        ValueNoise Layer(uint salt, float size) => new(ValueNoise.Mix(baseSeed + salt), size, fill.Left, fill.Top, fill.Width, fill.Height);
        var drift = Layer(1, cell);
        var detail = Layer(2, cell / 2.5f);
        var grain = Layer(3, GrainCell);
        ValueNoise[] tints = [Layer(4, cell), Layer(5, cell), Layer(6, cell)];
        ValueNoise[] specks = [Layer(7, GrainCell), Layer(8, GrainCell), Layer(9, GrainCell)];

        for (var y = 0; y < fill.Height; y++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var x = 0; x < fill.Width; x++)
            {
                var i = fill.Cell(x, y);
                if (fill.Flags[i] != TeleaInpainter.Filled)
                {
                    continue;
                }

                var t = Math.Clamp(fill.Distance[i] / FadeDistance, 0f, 1f);
                var fade = t * t * (3 - (2 * t)) * strength;
                var deviation = fill.Deviation[i];
                var driftAmplitude = MathF.Min(MaxDrift, BaseDrift + (DriftPerDeviation * deviation)) * fade;
                var grainAmplitude = MathF.Min(MaxGrain, GrainPerDeviation * deviation) * fade;

                int ix = fill.Left + x, iy = fill.Top + y;
                var luma = (0.7f * drift.Sample(ix, iy)) + (0.3f * detail.Sample(ix, iy));
                var sharedGrain = grain.Sample(ix, iy);
                var p = fill.PixelOffset(x, y);
                for (var c = 0; c < 3; c++)
                {
                    var delta = (driftAmplitude * ((0.75f * luma) + (0.25f * tints[c].Sample(ix, iy))))
                        + (grainAmplitude * ((0.6f * sharedGrain) + (0.4f * specks[c].Sample(ix, iy))));
                    pixels[p + c] = (byte)Math.Clamp(MathF.Round(pixels[p + c] + delta), 0f, 255f);
                }
            }
        }
    }
}
