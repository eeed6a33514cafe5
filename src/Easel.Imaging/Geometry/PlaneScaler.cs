namespace Easel.Imaging.Geometry;

// Exact 2x up- and downscaling of one float plane with the fixed taps of TwoToOneTaps, separable, borders
// replicated. Rows run in parallel; every output is computed by one thread from inputs alone, so results do not
// depend on scheduling. Cancellation is checked between rows.
internal static class PlaneScaler
{
    // Below this many outputs per pass, scheduling parallel work costs more than the work.
    private const int ParallelThreshold = 64 * 1024;

    // destination (2w x 2h) = up(source), or destination += scale * up(source) when accumulate is set.
    // scratch holds at least h * 2w floats.
    public static void Up(float[] source, int w, int h, float[] destination, float[] scratch, float[] even, float scale, bool accumulate, CancellationToken cancellationToken)
    {
        int wide = 2 * w;
        ForRows(h, (long)h * wide, () => new float[3 * (w + 6)], (y, buffers) =>
        {
            var padded = buffers.AsSpan(0, w + 6);
            var evens = buffers.AsSpan(w + 6, w);
            var odds = buffers.AsSpan(2 * (w + 6), w);
            Pad(source.AsSpan(y * w, w), padded, 3);
            evens.Clear();
            odds.Clear();
            for (var j = 0; j < 6; j++)
            {
                RowMath.MultiplyAdd(evens, padded[j..], even[j]);
                RowMath.MultiplyAdd(odds, padded[(j + 1)..], even[5 - j]);
            }

            var output = scratch.AsSpan(y * wide, wide);
            for (var t = 0; t < w; t++)
            {
                output[2 * t] = evens[t];
                output[(2 * t) + 1] = odds[t];
            }
        }, cancellationToken);

        ForRows(h, 4L * h * w, () => new float[wide], (t, sums) =>
        {
            for (var phase = 0; phase < 2; phase++)
            {
                sums.AsSpan().Clear();
                for (var j = 0; j < 6; j++)
                {
                    // Even rows read t-3..t+2, odd rows t-2..t+3 with the mirrored taps.
                    var k = Math.Clamp(t + j - 3 + phase, 0, h - 1);
                    RowMath.MultiplyAdd(sums, scratch.AsSpan(k * wide, wide), even[phase == 0 ? j : 5 - j]);
                }

                var output = destination.AsSpan(((2 * t) + phase) * wide, wide);
                if (accumulate)
                {
                    RowMath.MultiplyAdd(output, sums, scale);
                }
                else
                {
                    sums.AsSpan().CopyTo(output);
                }
            }
        }, cancellationToken);
    }

    // destination (w x h) = down(source (2w x 2h)); scratch holds at least 2h * w floats.
    public static void Down(float[] source, int w, int h, float[] destination, float[] scratch, float[] down, CancellationToken cancellationToken)
    {
        int wide = 2 * w, tall = 2 * h;
        ForRows(tall, (long)tall * w, () => new float[2 * (w + 6)], (y, buffers) =>
        {
            var row = source.AsSpan(y * wide, wide);
            // Even and odd inputs apart, each padded by 3 replicated samples, so every tap is a contiguous run.
            var evens = buffers.AsSpan(0, w + 6);
            var odds = buffers.AsSpan(w + 6, w + 6);
            for (var t = 0; t < w; t++)
            {
                evens[t + 3] = row[2 * t];
                odds[t + 3] = row[(2 * t) + 1];
            }

            for (var t = 0; t < 3; t++)
            {
                evens[t] = odds[t] = row[0];
                evens[w + 3 + t] = odds[w + 3 + t] = row[wide - 1];
            }

            var output = scratch.AsSpan(y * w, w);
            output.Clear();
            for (var q = -3; q <= 3; q++)
            {
                // Tap m = 2q reads evens[i + q], tap m = 2q + 1 reads odds[i + q]; m runs over -5..6.
                if (q >= -2 && down[(2 * q) + 5] != 0)
                {
                    RowMath.MultiplyAdd(output, evens[(q + 3)..], down[(2 * q) + 5]);
                }

                if (q <= 2 && down[(2 * q) + 6] != 0)
                {
                    RowMath.MultiplyAdd(output, odds[(q + 3)..], down[(2 * q) + 6]);
                }
            }
        }, cancellationToken);

        ForRows(h, (long)h * w, () => 0, (i, _) =>
        {
            var output = destination.AsSpan(i * w, w);
            output.Clear();
            for (var m = -5; m <= 6; m++)
            {
                if (down[m + 5] != 0)
                {
                    var k = Math.Clamp((2 * i) + m, 0, tall - 1);
                    RowMath.MultiplyAdd(output, scratch.AsSpan(k * w, w), down[m + 5]);
                }
            }
        }, cancellationToken);
    }

    private static void Pad(ReadOnlySpan<float> row, Span<float> padded, int pad)
    {
        row.CopyTo(padded[pad..]);
        for (var i = 0; i < pad; i++)
        {
            padded[i] = row[0];
            padded[pad + row.Length + i] = row[^1];
        }
    }

    internal static void ForRows<T>(int rows, long work, Func<T> scratch, Action<int, T> body, CancellationToken cancellationToken)
    {
        if (work < ParallelThreshold)
        {
            var buffer = scratch();
            for (var y = 0; y < rows; y++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                body(y, buffer);
            }

            return;
        }

        var options = new ParallelOptions { CancellationToken = cancellationToken };
        Parallel.For(0, rows, options, scratch, (y, _, buffer) =>
        {
            body(y, buffer);
            return buffer;
        }, static _ => { });
    }
}
