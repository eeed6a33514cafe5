using System.Runtime.Intrinsics;

namespace Easel.Imaging.Codecs.Png;

// The five PNG row filters (spec 9.2). `stride` is bytes per complete pixel, at least 1.
internal static class PngFilter
{
    public const int None = 0;
    public const int Sub = 1;
    public const int Up = 2;
    public const int Average = 3;
    public const int Paeth = 4;

    public static void Unfilter(int filter, Span<byte> row, ReadOnlySpan<byte> previous, int stride)
    {
        switch (filter)
        {
            case None:
                break;
            case Sub:
                for (var i = stride; i < row.Length; i++)
                {
                    row[i] += row[i - stride];
                }

                break;
            case Up:
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] += previous[i];
                }

                break;
            case Average:
                for (var i = 0; i < row.Length; i++)
                {
                    var left = i >= stride ? row[i - stride] : 0;
                    row[i] += (byte)((left + previous[i]) >> 1);
                }

                break;
            case Paeth:
                for (var i = 0; i < row.Length; i++)
                {
                    var left = i >= stride ? row[i - stride] : (byte)0;
                    var upLeft = i >= stride ? previous[i - stride] : (byte)0;
                    row[i] += PaethPredictor(left, previous[i], upLeft);
                }

                break;
            default:
                throw new ImageDecodeException($"PNG row filter type {filter} is not defined.");
        }
    }

    // Writes the filtered bytes of `row` into `output` and returns the sum of their absolute values as signed bytes,
    // the heuristic of PNG spec 12.8 for choosing a filter per row. One loop per filter keeps the inner loops free of
    // a per-byte switch; None, Sub and Up are vectorised.
    public static long Apply(int filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> previous, int stride, Span<byte> output)
    {
        output = output[..row.Length];
        switch (filter)
        {
            case None:
                row.CopyTo(output);
                break;
            case Sub:
                row[..stride].CopyTo(output);
                Subtract(row[stride..], row, output[stride..]);
                break;
            case Up:
                Subtract(row, previous, output);
                break;
            case Average:
                for (var i = 0; i < stride; i++)
                {
                    output[i] = (byte)(row[i] - (previous[i] >> 1));
                }

                for (var i = stride; i < row.Length; i++)
                {
                    output[i] = (byte)(row[i] - ((row[i - stride] + previous[i]) >> 1));
                }

                break;
            default:
                for (var i = 0; i < stride; i++)
                {
                    output[i] = (byte)(row[i] - previous[i]);
                }

                for (var i = stride; i < row.Length; i++)
                {
                    output[i] = (byte)(row[i] - PaethPredictor(row[i - stride], previous[i], previous[i - stride]));
                }

                break;
        }

        return Cost(output);
    }

    private static void Subtract(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> output)
    {
        var i = 0;
        for (; i + 32 <= a.Length; i += 32)
        {
            (Vector256.Create(a.Slice(i, 32)) - Vector256.Create(b.Slice(i, 32))).CopyTo(output[i..]);
        }

        for (; i < a.Length; i++)
        {
            output[i] = (byte)(a[i] - b[i]);
        }
    }

    private static long Cost(ReadOnlySpan<byte> filtered)
    {
        long cost = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var sum = Vector256<ushort>.Zero;
            for (; i + 32 <= filtered.Length; i += 32)
            {
                // |b| as a signed byte is at most 128: two per 16-bit lane per round, flushed every 128 rounds.
                var magnitude = Vector256.Abs(Vector256.Create(filtered.Slice(i, 32)).AsSByte()).AsByte();
                var (low, high) = Vector256.Widen(magnitude);
                sum += low + high;
                if ((i & 0xFFF) == 0xFE0)
                {
                    cost += Vector256.Sum(Vector256.WidenLower(sum) + Vector256.WidenUpper(sum));
                    sum = Vector256<ushort>.Zero;
                }
            }

            cost += Vector256.Sum(Vector256.WidenLower(sum) + Vector256.WidenUpper(sum));
        }

        for (; i < filtered.Length; i++)
        {
            cost += Math.Abs((int)(sbyte)filtered[i]);
        }

        return cost;
    }

    private static byte PaethPredictor(byte a, byte b, byte c)
    {
        var p = a + b - c;
        var pa = Math.Abs(p - a);
        var pb = Math.Abs(p - b);
        var pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc)
        {
            return a;
        }

        return pb <= pc ? b : c;
    }
}
