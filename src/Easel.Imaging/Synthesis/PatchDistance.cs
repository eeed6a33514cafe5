using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Easel.Imaging.Synthesis;

// Sum of squared differences between two square patches of a feature plane (FeaturePlane.Channels floats per
// pixel, so one pixel is exactly one Vector256 and a patch row is `size` consecutive vectors). The sum is
// checked against `limit` after each row: a candidate that is already worse than the best is abandoned,
// which is where most of PatchMatch's time goes. Callers guarantee both patches lie inside their planes
// (centres are kept `radius` pixels from every border), so the loads are unchecked.
internal static class PatchDistance
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Compute(float[] a, int aCorner, float[] b, int bCorner, int rowStride, int size, float limit) =>
        Vector512.IsHardwareAccelerated
            ? Compute512(a, aCorner, b, bCorner, rowStride, size, limit)
            : Compute256(a, aCorner, b, bCorner, rowStride, size, limit);

    // Two pixels per vector; a row of an odd-sized patch ends with one Vector256.
    private static float Compute512(float[] a, int aCorner, float[] b, int bCorner, int rowStride, int size, float limit)
    {
        ref var ra = ref MemoryMarshal.GetArrayDataReference(a);
        ref var rb = ref MemoryMarshal.GetArrayDataReference(b);
        var acc0 = Vector512<float>.Zero;
        var acc1 = Vector512<float>.Zero;
        var tail = Vector256<float>.Zero;
        var oa = (nuint)aCorner;
        var ob = (nuint)bCorner;
        var rowLength = (nuint)(size * FeaturePlane.Channels);
        for (var row = 0; row < size; row++)
        {
            nuint k = 0;
            for (; k + 32 <= rowLength; k += 32)
            {
                var d0 = Vector512.LoadUnsafe(ref ra, oa + k) - Vector512.LoadUnsafe(ref rb, ob + k);
                var d1 = Vector512.LoadUnsafe(ref ra, oa + k + 16) - Vector512.LoadUnsafe(ref rb, ob + k + 16);
                acc0 = Vector512.FusedMultiplyAdd(d0, d0, acc0);
                acc1 = Vector512.FusedMultiplyAdd(d1, d1, acc1);
            }

            if (k + 16 <= rowLength)
            {
                var d = Vector512.LoadUnsafe(ref ra, oa + k) - Vector512.LoadUnsafe(ref rb, ob + k);
                acc0 = Vector512.FusedMultiplyAdd(d, d, acc0);
                k += 16;
            }

            if (k < rowLength)
            {
                var d = Vector256.LoadUnsafe(ref ra, oa + k) - Vector256.LoadUnsafe(ref rb, ob + k);
                tail = Vector256.FusedMultiplyAdd(d, d, tail);
            }

            // Checked every other row: the horizontal sum is not free.
            if ((row & 1) == 1)
            {
                var partial = Vector512.Sum(acc0 + acc1) + Vector256.Sum(tail);
                if (partial > limit)
                {
                    return partial;
                }
            }

            oa += (nuint)rowStride;
            ob += (nuint)rowStride;
        }

        return Vector512.Sum(acc0 + acc1) + Vector256.Sum(tail);
    }

    private static float Compute256(float[] a, int aCorner, float[] b, int bCorner, int rowStride, int size, float limit)
    {
        ref var ra = ref MemoryMarshal.GetArrayDataReference(a);
        ref var rb = ref MemoryMarshal.GetArrayDataReference(b);
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        var acc2 = Vector256<float>.Zero;
        var oa = (nuint)aCorner;
        var ob = (nuint)bCorner;
        var rowLength = (nuint)(size * FeaturePlane.Channels);
        for (var row = 0; row < size; row++)
        {
            nuint k = 0;
            for (; k + 24 <= rowLength; k += 24)
            {
                var d0 = Vector256.LoadUnsafe(ref ra, oa + k) - Vector256.LoadUnsafe(ref rb, ob + k);
                var d1 = Vector256.LoadUnsafe(ref ra, oa + k + 8) - Vector256.LoadUnsafe(ref rb, ob + k + 8);
                var d2 = Vector256.LoadUnsafe(ref ra, oa + k + 16) - Vector256.LoadUnsafe(ref rb, ob + k + 16);
                acc0 = Vector256.FusedMultiplyAdd(d0, d0, acc0);
                acc1 = Vector256.FusedMultiplyAdd(d1, d1, acc1);
                acc2 = Vector256.FusedMultiplyAdd(d2, d2, acc2);
            }

            for (; k < rowLength; k += 8)
            {
                var d = Vector256.LoadUnsafe(ref ra, oa + k) - Vector256.LoadUnsafe(ref rb, ob + k);
                acc0 = Vector256.FusedMultiplyAdd(d, d, acc0);
            }

            if ((row & 1) == 1)
            {
                var partial = Vector256.Sum(acc0 + acc1 + acc2);
                if (partial > limit)
                {
                    return partial;
                }
            }

            oa += (nuint)rowStride;
            ob += (nuint)rowStride;
        }

        return Vector256.Sum(acc0 + acc1 + acc2);
    }

    // The distance over the known pixels of the first patch only (`unknown` marks the others; `aCentre` is the
    // first patch's centre pixel, `width` the plane's width): aligns a patch that straddles a hole's border to the
    // pixels that are really there, not to a provisional fill.
    public static float ComputeKnown(float[] a, int aCentre, float[] b, int bCentre, byte[] unknown, int width, int radius, float limit)
    {
        ref var ra = ref MemoryMarshal.GetArrayDataReference(a);
        ref var rb = ref MemoryMarshal.GetArrayDataReference(b);
        var acc = Vector256<float>.Zero;
        for (var dy = -radius; dy <= radius; dy++)
        {
            var pa = aCentre + (dy * width) - radius;
            var pb = bCentre + (dy * width) - radius;
            for (var dx = 0; dx <= 2 * radius; dx++)
            {
                if (unknown[pa + dx] != 0)
                {
                    continue;
                }

                var d = Vector256.LoadUnsafe(ref ra, (nuint)((pa + dx) * FeaturePlane.Channels)) - Vector256.LoadUnsafe(ref rb, (nuint)((pb + dx) * FeaturePlane.Channels));
                acc = Vector256.FusedMultiplyAdd(d, d, acc);
            }

            if (dy > 0 && Vector256.Sum(acc) > limit)
            {
                return Vector256.Sum(acc);
            }
        }

        return Vector256.Sum(acc);
    }
}
