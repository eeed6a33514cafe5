using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Easel.Imaging.Geometry;

// Horizontal pass into a float buffer (srcHeight x dstWidth), then a vertical pass into bytes; rows of each pass run
// in parallel. With 4 channels the colour is premultiplied by alpha in between, so weights apply to light, not to
// hidden colour. A pixel is one Vector128<float> in the horizontal pass; the vertical pass is a weighted sum of whole
// rows, eight floats at a time.
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

        ForRows(srcHeight, (long)srcHeight * rowFloats, () => new float[srcWidth * channels], (y, scratch) =>
        {
            var input = source.AsSpan(y * srcWidth * channels, srcWidth * channels);
            var output = intermediate.AsSpan(y * rowFloats, rowFloats);
            if (premultiply)
            {
                HorizontalPremultiplied(input, scratch, output, horizontal);
            }
            else
            {
                HorizontalSingle(input, output, horizontal);
            }
        });

        ForRows(dstHeight, (long)dstHeight * rowFloats, () => new float[rowFloats], (y, sums) =>
        {
            var start = vertical.Start[y];
            var count = vertical.Count[y];
            var weights = vertical.Weights.AsSpan(y * vertical.Stride, count);
            var output = destination.AsSpan(y * rowFloats, rowFloats);
            WeightedRowSum(intermediate, rowFloats, start, weights, sums);
            if (premultiply)
            {
                Unpremultiply(sums, output);
            }
            else
            {
                for (var x = 0; x < rowFloats; x++)
                {
                    output[x] = ToByte(sums[x]);
                }
            }
        });
    }

    private static void ForRows(int rows, long work, Func<float[]> scratch, Action<int, float[]> body)
    {
        if (work < ParallelThreshold)
        {
            var buffer = scratch();
            for (var y = 0; y < rows; y++)
            {
                body(y, buffer);
            }
        }
        else
        {
            Parallel.For(0, rows, scratch, (y, _, buffer) =>
            {
                body(y, buffer);
                return buffer;
            }, static _ => { });
        }
    }

    private static void HorizontalPremultiplied(ReadOnlySpan<byte> input, float[] premultiplied, Span<float> output, ResampleWeights taps)
    {
        // Colour stays scaled by 255 * alpha; the vertical pass divides it out once.
        for (var i = 0; i < input.Length; i += 4)
        {
            float a = input[i + 3];
            premultiplied[i] = input[i] * a;
            premultiplied[i + 1] = input[i + 1] * a;
            premultiplied[i + 2] = input[i + 2] * a;
            premultiplied[i + 3] = a;
        }

        var pixels = MemoryMarshal.Cast<float, Vector128<float>>(premultiplied.AsSpan());
        var outputs = MemoryMarshal.Cast<float, Vector128<float>>(output);
        var allWeights = taps.Weights;
        for (var x = 0; x < outputs.Length; x++)
        {
            var weights = allWeights.AsSpan(x * taps.Stride, taps.Count[x]);
            var source = pixels.Slice(taps.Start[x], weights.Length);
            var sum = Vector128<float>.Zero;
            for (var k = 0; k < weights.Length; k++)
            {
                sum += source[k] * weights[k];
            }

            outputs[x] = sum;
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

    private static void WeightedRowSum(float[] intermediate, int rowFloats, int start, ReadOnlySpan<float> weights, Span<float> sums)
    {
        sums.Clear();
        var width = Vector256<float>.Count;
        for (var k = 0; k < weights.Length; k++)
        {
            var row = intermediate.AsSpan((start + k) * rowFloats, rowFloats);
            var w = weights[k];
            var x = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var weight = Vector256.Create(w);
                var rowVectors = MemoryMarshal.Cast<float, Vector256<float>>(row);
                var sumVectors = MemoryMarshal.Cast<float, Vector256<float>>(sums);
                for (var v = 0; v < rowVectors.Length; v++)
                {
                    sumVectors[v] += rowVectors[v] * weight;
                }

                x = rowVectors.Length * width;
            }

            for (; x < rowFloats; x++)
            {
                sums[x] += row[x] * w;
            }
        }
    }

    private static void Unpremultiply(ReadOnlySpan<float> sums, Span<byte> output)
    {
        var pixels = MemoryMarshal.Cast<float, Vector128<float>>(sums);
        var max = Vector128.Create(255f);
        var half = Vector128.Create(0.5f);
        for (var i = 0; i < pixels.Length; i++)
        {
            var pixel = pixels[i];
            var a = pixel.GetElement(3);
            var o = i * 4;
            if (a < 0.5f)
            {
                output.Slice(o, 4).Clear();
                continue;
            }

            // Dividing by the unrounded alpha keeps opaque regions exact; the clamp absorbs Lanczos overshoot.
            var scaled = (pixel * (1f / a)).WithElement(3, a);
            var rounded = Vector128.ConvertToInt32(Vector128.Min(Vector128.Max(scaled, Vector128<float>.Zero), max) + half);
            output[o] = (byte)rounded.GetElement(0);
            output[o + 1] = (byte)rounded.GetElement(1);
            output[o + 2] = (byte)rounded.GetElement(2);
            output[o + 3] = (byte)rounded.GetElement(3);
        }
    }

    private static byte ToByte(float value) => value <= 0 ? (byte)0 : value >= 255 ? (byte)255 : (byte)(value + 0.5f);
}
