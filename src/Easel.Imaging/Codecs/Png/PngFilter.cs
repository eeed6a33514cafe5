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
    // the heuristic of PNG spec 12.8 for choosing a filter per row.
    public static long Apply(int filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> previous, int stride, Span<byte> output)
    {
        long cost = 0;
        for (var i = 0; i < row.Length; i++)
        {
            var left = i >= stride ? row[i - stride] : (byte)0;
            var up = previous[i];
            var upLeft = i >= stride ? previous[i - stride] : (byte)0;
            var predicted = filter switch
            {
                Sub => left,
                Up => up,
                Average => (byte)((left + up) >> 1),
                Paeth => PaethPredictor(left, up, upLeft),
                _ => (byte)0,
            };
            var value = (byte)(row[i] - predicted);
            output[i] = value;
            cost += Math.Abs((int)(sbyte)value);
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
