namespace Easel.Imaging.Geometry;

// Horizontal pass into a float buffer (srcHeight x dstWidth), then a vertical pass into bytes.
// With 4 channels the colour is premultiplied by alpha in between, so weights apply to light, not to hidden colour.
internal static class SeparableResampler
{
    // Below this many output samples per pass the cost of scheduling parallel work exceeds the work.
    private const long ParallelThreshold = 64 * 1024;

    public static void Run(byte[] source, int srcWidth, int srcHeight, byte[] destination, int dstWidth, int dstHeight, int channels, ResampleFilter filter)
    {
        var horizontal = ResampleWeights.Build(srcWidth, dstWidth, filter);
        var vertical = ResampleWeights.Build(srcHeight, dstHeight, filter);
        var premultiply = channels == 4;
        var rowFloats = dstWidth * channels;
        var intermediate = new float[(long)srcHeight * rowFloats];

        ForRows(srcHeight, (long)srcHeight * rowFloats, y =>
        {
            var input = source.AsSpan(y * srcWidth * channels, srcWidth * channels);
            var output = intermediate.AsSpan(y * rowFloats, rowFloats);
            if (premultiply)
            {
                HorizontalPremultiplied(input, output, horizontal);
            }
            else
            {
                HorizontalSingle(input, output, horizontal);
            }
        });

        ForRows(dstHeight, (long)dstHeight * rowFloats, y =>
        {
            var start = vertical.Start[y];
            var count = vertical.Count[y];
            var weights = vertical.Weights.AsSpan(y * vertical.Stride, count);
            var output = destination.AsSpan(y * rowFloats, rowFloats);
            if (premultiply)
            {
                VerticalPremultiplied(intermediate, rowFloats, start, weights, output);
            }
            else
            {
                VerticalSingle(intermediate, rowFloats, start, weights, output);
            }
        });
    }

    private static void ForRows(int rows, long work, Action<int> body)
    {
        if (work < ParallelThreshold)
        {
            for (var y = 0; y < rows; y++)
            {
                body(y);
            }
        }
        else
        {
            Parallel.For(0, rows, body);
        }
    }

    private static void HorizontalPremultiplied(ReadOnlySpan<byte> input, Span<float> output, ResampleWeights taps)
    {
        for (var x = 0; x < taps.Start.Length; x++)
        {
            var weights = taps.Weights.AsSpan(x * taps.Stride, taps.Count[x]);
            var p = taps.Start[x] * 4;
            float r = 0, g = 0, b = 0, a = 0;
            foreach (var w in weights)
            {
                var wa = w * input[p + 3];
                r += wa * input[p];
                g += wa * input[p + 1];
                b += wa * input[p + 2];
                a += wa;
                p += 4;
            }

            // Colour stays scaled by 255 * alpha; the vertical pass divides it out once.
            var o = x * 4;
            output[o] = r;
            output[o + 1] = g;
            output[o + 2] = b;
            output[o + 3] = a;
        }
    }

    private static void HorizontalSingle(ReadOnlySpan<byte> input, Span<float> output, ResampleWeights taps)
    {
        for (var x = 0; x < taps.Start.Length; x++)
        {
            var weights = taps.Weights.AsSpan(x * taps.Stride, taps.Count[x]);
            var p = taps.Start[x];
            float sum = 0;
            foreach (var w in weights)
            {
                sum += w * input[p++];
            }

            output[x] = sum;
        }
    }

    private static void VerticalPremultiplied(float[] intermediate, int rowFloats, int start, ReadOnlySpan<float> weights, Span<byte> output)
    {
        for (var i = 0; i < rowFloats; i += 4)
        {
            float r = 0, g = 0, b = 0, a = 0;
            var p = (start * rowFloats) + i;
            foreach (var w in weights)
            {
                r += w * intermediate[p];
                g += w * intermediate[p + 1];
                b += w * intermediate[p + 2];
                a += w * intermediate[p + 3];
                p += rowFloats;
            }

            var alpha = ToByte(a);
            if (alpha == 0)
            {
                output[i] = output[i + 1] = output[i + 2] = output[i + 3] = 0;
                continue;
            }

            // Dividing by the unrounded alpha keeps opaque regions exact; the clamp absorbs Lanczos overshoot.
            var inverse = 1f / a;
            output[i] = ToByte(r * inverse);
            output[i + 1] = ToByte(g * inverse);
            output[i + 2] = ToByte(b * inverse);
            output[i + 3] = alpha;
        }
    }

    private static void VerticalSingle(float[] intermediate, int rowFloats, int start, ReadOnlySpan<float> weights, Span<byte> output)
    {
        for (var x = 0; x < rowFloats; x++)
        {
            float sum = 0;
            var p = (start * rowFloats) + x;
            foreach (var w in weights)
            {
                sum += w * intermediate[p];
                p += rowFloats;
            }

            output[x] = ToByte(sum);
        }
    }

    private static byte ToByte(float value) => value <= 0 ? (byte)0 : value >= 255 ? (byte)255 : (byte)(value + 0.5f);
}
