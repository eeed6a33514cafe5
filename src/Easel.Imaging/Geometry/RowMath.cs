using System.Numerics;
using System.Runtime.InteropServices;

namespace Easel.Imaging.Geometry;

internal static class RowMath
{
    // destination[i] += weight * source[i] over destination's length, a vector at a time.
    public static void MultiplyAdd(Span<float> destination, ReadOnlySpan<float> source, float weight)
    {
        source = source[..destination.Length];
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var w = new Vector<float>(weight);
            var d = MemoryMarshal.Cast<float, Vector<float>>(destination);
            var s = MemoryMarshal.Cast<float, Vector<float>>(source);
            for (var v = 0; v < d.Length; v++)
            {
                d[v] += s[v] * w;
            }

            i = d.Length * Vector<float>.Count;
        }

        for (; i < destination.Length; i++)
        {
            destination[i] += weight * source[i];
        }
    }
}
