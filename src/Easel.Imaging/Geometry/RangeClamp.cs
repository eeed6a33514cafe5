namespace Easel.Imaging.Geometry;

// The ringing limiter: an output pixel may not leave the range of the source pixels nearest to it (widened by a
// slack), which is where Lanczos lobes and back-projection overshoot show as halos beside edges. Inside smooth
// or textured areas the range is wide enough that the limiter does nothing.
internal static class RangeClamp
{
    public static void Apply(float[] estimate, float[] source, int w, int h, UpscaleOptions options, CancellationToken cancellationToken)
    {
        var reach = options.ClampReach;
        if (reach < 0)
        {
            return;
        }

        // Window J (0..w) covers source columns J-1-reach..J+reach: the 2 nearest of output columns 2J-1 and 2J
        // (an output pixel of column X sits between source columns X/2 - 1 and X/2 when X is even, X/2 and X/2 + 1
        // when odd), plus reach on each side.
        var columns = w + 1;
        var rowLow = new float[h * columns];
        var rowHigh = new float[h * columns];
        PlaneScaler.ForRows(h, (long)h * columns, () => 0, (y, _) =>
        {
            var row = source.AsSpan(y * w, w);
            for (var j = 0; j <= w; j++)
            {
                float low = float.MaxValue, high = float.MinValue;
                for (var k = Math.Max(0, j - 1 - reach); k <= Math.Min(w - 1, j + reach); k++)
                {
                    low = Math.Min(low, row[k]);
                    high = Math.Max(high, row[k]);
                }

                rowLow[(y * columns) + j] = low;
                rowHigh[(y * columns) + j] = high;
            }
        }, cancellationToken);

        var slack = options.ClampSlack;
        var margin = options.ClampMargin;
        var kept = options.OvershootKept;
        var wide = 2 * w;
        PlaneScaler.ForRows(2 * h, 4L * h * w, () => new float[2 * columns], (y, bounds) =>
        {
            var i = (y >> 1) + (y & 1);
            var lows = bounds.AsSpan(0, columns);
            var highs = bounds.AsSpan(columns, columns);
            lows.Fill(float.MaxValue);
            highs.Fill(float.MinValue);
            for (var k = Math.Max(0, i - 1 - reach); k <= Math.Min(h - 1, i + reach); k++)
            {
                for (var j = 0; j < columns; j++)
                {
                    lows[j] = Math.Min(lows[j], rowLow[(k * columns) + j]);
                    highs[j] = Math.Max(highs[j], rowHigh[(k * columns) + j]);
                }
            }

            var output = estimate.AsSpan(y * wide, wide);
            for (var x = 0; x < wide; x++)
            {
                var j = (x >> 1) + (x & 1);
                var widen = (slack * (highs[j] - lows[j])) + margin;
                var low = lows[j] - widen;
                var high = highs[j] + widen;
                var v = output[x];
                if (v > high)
                {
                    output[x] = high + ((v - high) * kept);
                }
                else if (v < low)
                {
                    output[x] = low + ((v - low) * kept);
                }
            }
        }, cancellationToken);
    }
}
