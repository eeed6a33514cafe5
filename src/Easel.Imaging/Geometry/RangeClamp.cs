using System.Numerics;
using System.Runtime.InteropServices;

namespace Easel.Imaging.Geometry;

// The ringing limiter: an output pixel may not leave the range of the source pixels nearest to it (widened by a
// slack), which is where Lanczos lobes and back-projection overshoot show as halos beside edges. Inside smooth
// or textured areas the range is wide enough that the limiter does little. The bounds depend on the source only,
// so they are built once and applied after every round.
internal sealed class RangeClamp
{
    private readonly float[] _low;
    private readonly float[] _high;
    private readonly int _w;
    private readonly int _h;
    private readonly float _kept;

    private RangeClamp(float[] low, float[] high, int w, int h, float kept)
    {
        _low = low;
        _high = high;
        _w = w;
        _h = h;
        _kept = kept;
    }

    // Null when the options turn the limiter off.
    public static RangeClamp? Build(float[] source, int w, int h, UpscaleOptions options, CancellationToken cancellationToken)
    {
        var reach = options.ClampReach;
        if (reach < 0)
        {
            return null;
        }

        // Window (I, J), I in 0..h and J in 0..w, covers source rows I-1-reach..I+reach and columns J-1-reach..J+reach:
        // the 2x2 source pixels nearest to output pixels (2I-1 or 2I, 2J-1 or 2J), plus reach on each side. (An
        // output column X sits between source columns X/2 - 1 and X/2 when X is even, X/2 and X/2 + 1 when odd.)
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

        var wide = 2 * w;
        var wideLows = new float[(h + 1) * wide];
        var wideHighs = new float[(h + 1) * wide];
        var slack = options.ClampSlack;
        var margin = options.ClampMargin;
        PlaneScaler.ForRows(h + 1, (long)(h + 1) * wide, () => new float[2 * columns], (i, window) =>
        {
            var low = window.AsSpan(0, columns);
            var high = window.AsSpan(columns, columns);
            low.Fill(float.MaxValue);
            high.Fill(float.MinValue);
            for (var k = Math.Max(0, i - 1 - reach); k <= Math.Min(h - 1, i + reach); k++)
            {
                for (var j = 0; j < columns; j++)
                {
                    low[j] = Math.Min(low[j], rowLow[(k * columns) + j]);
                    high[j] = Math.Max(high[j], rowHigh[(k * columns) + j]);
                }
            }

            for (var j = 0; j < columns; j++)
            {
                var widen = (slack * (high[j] - low[j])) + margin;
                low[j] -= widen;
                high[j] += widen;
            }

            // Spread to output columns, so applying is a vector min/max: column x reads window (x >> 1) + (x & 1).
            var wideLow = wideLows.AsSpan(i * wide, wide);
            var wideHigh = wideHighs.AsSpan(i * wide, wide);
            for (var x = 0; x < wide; x++)
            {
                var j = (x >> 1) + (x & 1);
                wideLow[x] = low[j];
                wideHigh[x] = high[j];
            }
        }, cancellationToken);

        return new RangeClamp(wideLows, wideHighs, w, h, options.OvershootKept);
    }

    // Pulls every pixel of the estimate (2w x 2h) back inside its bounds; what lies beyond is scaled by OvershootKept.
    public void Apply(float[] estimate, CancellationToken cancellationToken)
    {
        var wide = 2 * _w;
        PlaneScaler.ForRows(2 * _h, 4L * _h * _w, () => 0, (y, _) =>
        {
            var i = (y >> 1) + (y & 1);
            var lows = _low.AsSpan(i * wide, wide);
            var highs = _high.AsSpan(i * wide, wide);
            var output = estimate.AsSpan(y * wide, wide);
            var x = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var kept = new Vector<float>(_kept);
                var low = MemoryMarshal.Cast<float, Vector<float>>(lows);
                var high = MemoryMarshal.Cast<float, Vector<float>>(highs);
                var values = MemoryMarshal.Cast<float, Vector<float>>(output);
                for (var v = 0; v < values.Length; v++)
                {
                    var clamped = Vector.Min(Vector.Max(values[v], low[v]), high[v]);
                    values[v] = clamped + ((values[v] - clamped) * kept);
                }

                x = values.Length * Vector<float>.Count;
            }

            for (; x < wide; x++)
            {
                var clamped = Math.Min(Math.Max(output[x], lows[x]), highs[x]);
                output[x] = clamped + ((output[x] - clamped) * _kept);
            }
        }, cancellationToken);
    }
}
