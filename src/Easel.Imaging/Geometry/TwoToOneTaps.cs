namespace Easel.Imaging.Geometry;

// The fixed filters of an exact 2:1 scale, built from the resampler's kernels. Away from the borders every output
// of a 2x resize uses the same taps (two phases when upscaling), so a pass is a handful of whole-row multiply-adds.
internal static class TwoToOneTaps
{
    // Upscaling: output 2t reads inputs t-3..t+2 with Even[0..5]; output 2t+1 reads t-2..t+3 with the mirror.
    // Centres: input i sits at i + 0.5, output j at (j + 0.5) / 2 in input pixels.
    public static float[] Even(ResampleFilter filter)
    {
        var taps = new double[6];
        for (var k = -3; k <= 2; k++)
        {
            taps[k + 3] = ResampleKernel.Evaluate(filter, k + 0.25);
        }

        return Normalise(taps);
    }

    // Downscaling: output i reads inputs 2i-5..2i+6, the kernel widened by 2 so it low-passes below the new Nyquist
    // limit (as Resampler does); a box model is the plain 2x2 mean.
    public static float[] Down(ResampleFilter filter)
    {
        var taps = new double[12];
        for (var m = -5; m <= 6; m++)
        {
            taps[m + 5] = ResampleKernel.Evaluate(filter, (m - 0.5) / 2);
        }

        return Normalise(taps);
    }

    public static float[] BoxDown()
    {
        var taps = new float[12];
        taps[5] = taps[6] = 0.5f;
        return taps;
    }

    private static float[] Normalise(double[] taps)
    {
        var sum = taps.Sum();
        return [.. taps.Select(t => (float)(t / sum))];
    }
}
