namespace Easel.Imaging.Geometry;

internal static class ResampleKernel
{
    public static double Radius(ResampleFilter filter) => filter switch
    {
        ResampleFilter.Lanczos3 => 3,
        ResampleFilter.Bicubic => 2,
        ResampleFilter.Bilinear => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, "Unknown resample filter."),
    };

    public static double Evaluate(ResampleFilter filter, double x)
    {
        x = Math.Abs(x);
        switch (filter)
        {
            case ResampleFilter.Lanczos3:
                return x < 3 ? Sinc(x) * Sinc(x / 3) : 0;
            case ResampleFilter.Bicubic:
                // Catmull-Rom: Keys' cubic with a = -0.5.
                if (x < 1)
                {
                    return ((1.5 * x - 2.5) * x * x) + 1;
                }

                return x < 2 ? (((-0.5 * x + 2.5) * x) - 4) * x + 2 : 0;
            default:
                return x < 1 ? 1 - x : 0;
        }
    }

    private static double Sinc(double x)
    {
        if (x < 1e-8)
        {
            return 1;
        }

        x *= Math.PI;
        return Math.Sin(x) / x;
    }
}

// Precomputed taps of one axis: output i reads `Count[i]` inputs from `Start[i]`, weights at `i * Stride`.
internal sealed class ResampleWeights
{
    private ResampleWeights(int[] start, int[] count, float[] weights, int stride)
    {
        Start = start;
        Count = count;
        Weights = weights;
        Stride = stride;
    }

    public int[] Start { get; }

    public int[] Count { get; }

    public float[] Weights { get; }

    public int Stride { get; }

    public static ResampleWeights Build(int inSize, int outSize, ResampleFilter filter)
    {
        var scale = (double)inSize / outSize;
        // Downscaling widens the filter by the scale factor so it low-passes below the new Nyquist limit.
        var filterScale = Math.Max(1.0, scale);
        var support = ResampleKernel.Radius(filter) * filterScale;
        var stride = Math.Min(inSize, (int)Math.Ceiling(support) * 2 + 1);
        var start = new int[outSize];
        var count = new int[outSize];
        var weights = new float[outSize * stride];
        var taps = new double[stride];
        for (var i = 0; i < outSize; i++)
        {
            var centre = (i + 0.5) * scale;
            var min = Math.Max(0, (int)Math.Floor(centre - support + 0.5));
            var max = Math.Min(inSize, (int)Math.Floor(centre + support + 0.5));
            var n = Math.Min(stride, max - min);
            double sum = 0;
            for (var k = 0; k < n; k++)
            {
                var w = ResampleKernel.Evaluate(filter, (min + k + 0.5 - centre) / filterScale);
                taps[k] = w;
                sum += w;
            }

            if (Math.Abs(sum) < 1e-12)
            {
                // Only reachable for degenerate tiny supports; fall back to the nearest input.
                min = Math.Clamp((int)centre, 0, inSize - 1);
                n = 1;
                taps[0] = sum = 1;
            }

            start[i] = min;
            count[i] = n;
            for (var k = 0; k < n; k++)
            {
                weights[(i * stride) + k] = (float)(taps[k] / sum);
            }
        }

        return new ResampleWeights(start, count, weights, stride);
    }
}
