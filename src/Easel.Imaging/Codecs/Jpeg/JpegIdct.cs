using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Easel.Imaging.Codecs.Jpeg;

// The accurate integer inverse DCT of libjpeg (jidctint.c, "islow": Loeffler-Ligtenberg-Moschytz with 13-bit
// constants, 2 extra bits between passes). Reproducing its arithmetic exactly makes our output match djpeg's
// default. With AVX2 both 1-D passes run on eight columns at once, the block transposed between them.
internal static class JpegIdct
{
    private const int ConstBits = 13;
    private const int Pass1Bits = 2;
    private const int Fix0298631336 = 2446;
    private const int Fix0390180644 = 3196;
    private const int Fix0541196100 = 4433;
    private const int Fix0765366865 = 6270;
    private const int Fix0899976223 = 7373;
    private const int Fix1175875602 = 9633;
    private const int Fix1501321110 = 12299;
    private const int Fix1847759065 = 15137;
    private const int Fix1961570560 = 16069;
    private const int Fix2053119869 = 16819;
    private const int Fix2562915447 = 20995;
    private const int Fix3072711026 = 25172;

    public static bool IsVectorised => Avx2.IsSupported;

    // coefficients: 64 in natural order; quant: 64 in natural order; output: 8 rows of 8 bytes at `stride`.
    public static void Transform(ReadOnlySpan<short> coefficients, ReadOnlySpan<int> quant, Span<byte> output, int stride)
    {
        if (Avx2.IsSupported)
        {
            TransformAvx2(coefficients, quant, output, stride);
        }
        else
        {
            TransformScalar(coefficients, quant, output, stride);
        }
    }

    // A block with only a DC term is flat: the value the full transform would produce, without it.
    public static byte DcOnlyValue(int dc, int quant)
    {
        var ws = dc * quant << Pass1Bits;
        return ClampToByte(((ws + 16) >> 5) + 128);
    }

    internal static void TransformScalar(ReadOnlySpan<short> coefficients, ReadOnlySpan<int> quant, Span<byte> output, int stride)
    {
        Span<int> ws = stackalloc int[64];
        for (var c = 0; c < 8; c++)
        {
            Pass(
                coefficients[c] * quant[c], coefficients[8 + c] * quant[8 + c], coefficients[16 + c] * quant[16 + c], coefficients[24 + c] * quant[24 + c],
                coefficients[32 + c] * quant[32 + c], coefficients[40 + c] * quant[40 + c], coefficients[48 + c] * quant[48 + c], coefficients[56 + c] * quant[56 + c],
                ConstBits - Pass1Bits, 0, ws[c..], 8);
        }

        Span<int> row = stackalloc int[8];
        for (var r = 0; r < 8; r++)
        {
            var w = ws.Slice(r * 8, 8);
            Pass(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], ConstBits + Pass1Bits + 3, 128, row, 1);
            var o = output.Slice(r * stride, 8);
            for (var i = 0; i < 8; i++)
            {
                o[i] = ClampToByte(row[i]);
            }
        }
    }

    private static void Pass(int i0, int i1, int i2, int i3, int i4, int i5, int i6, int i7, int shift, int bias, Span<int> output, int step)
    {
        var z1 = (i2 + i6) * Fix0541196100;
        var tmp2 = z1 + (i6 * -Fix1847759065);
        var tmp3 = z1 + (i2 * Fix0765366865);
        var tmp0 = (i0 + i4) << ConstBits;
        var tmp1 = (i0 - i4) << ConstBits;
        var tmp10 = tmp0 + tmp3;
        var tmp13 = tmp0 - tmp3;
        var tmp11 = tmp1 + tmp2;
        var tmp12 = tmp1 - tmp2;

        var t0 = i7;
        var t1 = i5;
        var t2 = i3;
        var t3 = i1;
        z1 = t0 + t3;
        var z2 = t1 + t2;
        var z3 = t0 + t2;
        var z4 = t1 + t3;
        var z5 = (z3 + z4) * Fix1175875602;
        t0 *= Fix0298631336;
        t1 *= Fix2053119869;
        t2 *= Fix3072711026;
        t3 *= Fix1501321110;
        z1 *= -Fix0899976223;
        z2 *= -Fix2562915447;
        z3 = (z3 * -Fix1961570560) + z5;
        z4 = (z4 * -Fix0390180644) + z5;
        t0 += z1 + z3;
        t1 += z2 + z4;
        t2 += z2 + z3;
        t3 += z1 + z4;

        var round = 1 << (shift - 1);
        output[0] = ((tmp10 + t3 + round) >> shift) + bias;
        output[7 * step] = ((tmp10 - t3 + round) >> shift) + bias;
        output[1 * step] = ((tmp11 + t2 + round) >> shift) + bias;
        output[6 * step] = ((tmp11 - t2 + round) >> shift) + bias;
        output[2 * step] = ((tmp12 + t1 + round) >> shift) + bias;
        output[5 * step] = ((tmp12 - t1 + round) >> shift) + bias;
        output[3 * step] = ((tmp13 + t0 + round) >> shift) + bias;
        output[4 * step] = ((tmp13 - t0 + round) >> shift) + bias;
    }

    private static void TransformAvx2(ReadOnlySpan<short> coefficients, ReadOnlySpan<int> quant, Span<byte> output, int stride)
    {
        var r0 = Row(coefficients, quant, 0);
        var r1 = Row(coefficients, quant, 1);
        var r2 = Row(coefficients, quant, 2);
        var r3 = Row(coefficients, quant, 3);
        var r4 = Row(coefficients, quant, 4);
        var r5 = Row(coefficients, quant, 5);
        var r6 = Row(coefficients, quant, 6);
        var r7 = Row(coefficients, quant, 7);

        Pass(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, ConstBits - Pass1Bits, 0);
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Pass(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7, ConstBits + Pass1Bits + 3, 128);
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);

        // Saturating packs clamp to 0..255 as libjpeg's range-limit table does for every in-range result.
        var p01 = Avx2.PackSignedSaturate(r0, r1);
        var p23 = Avx2.PackSignedSaturate(r2, r3);
        var p45 = Avx2.PackSignedSaturate(r4, r5);
        var p67 = Avx2.PackSignedSaturate(r6, r7);
        // Lanes now hold (row0 c0-3, row1 c0-3 | row0 c4-7, row1 c4-7) after packing; bytes pack the same way.
        var b0123 = Avx2.PackUnsignedSaturate(p01, p23);
        var b4567 = Avx2.PackUnsignedSaturate(p45, p67);
        // Each 32-bit group is 4 pixels: order is r0a r1a r2a r3a | r0b r1b r2b r3b; gather the halves of each row.
        var order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
        var rowsLow = Avx2.PermuteVar8x32(b0123.AsInt32(), order).AsUInt64();
        var rowsHigh = Avx2.PermuteVar8x32(b4567.AsInt32(), order).AsUInt64();
        Store(output, 0, rowsLow.GetElement(0));
        Store(output, stride, rowsLow.GetElement(1));
        Store(output, stride * 2, rowsLow.GetElement(2));
        Store(output, stride * 3, rowsLow.GetElement(3));
        Store(output, stride * 4, rowsHigh.GetElement(0));
        Store(output, stride * 5, rowsHigh.GetElement(1));
        Store(output, stride * 6, rowsHigh.GetElement(2));
        Store(output, stride * 7, rowsHigh.GetElement(3));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Span<byte> output, int offset, ulong eight)
        => System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(output.Slice(offset, 8), eight);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Row(ReadOnlySpan<short> coefficients, ReadOnlySpan<int> quant, int row)
    {
        var c = Vector128.Create(coefficients.Slice(row * 8, 8));
        return Avx2.ConvertToVector256Int32(c) * Vector256.Create(quant.Slice(row * 8, 8));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pass(
        ref Vector256<int> i0, ref Vector256<int> i1, ref Vector256<int> i2, ref Vector256<int> i3,
        ref Vector256<int> i4, ref Vector256<int> i5, ref Vector256<int> i6, ref Vector256<int> i7, int shift, int bias)
    {
        var z1 = (i2 + i6) * Fix0541196100;
        var tmp2 = z1 + (i6 * -Fix1847759065);
        var tmp3 = z1 + (i2 * Fix0765366865);
        var tmp0 = (i0 + i4) << ConstBits;
        var tmp1 = (i0 - i4) << ConstBits;
        var tmp10 = tmp0 + tmp3;
        var tmp13 = tmp0 - tmp3;
        var tmp11 = tmp1 + tmp2;
        var tmp12 = tmp1 - tmp2;

        var t0 = i7;
        var t1 = i5;
        var t2 = i3;
        var t3 = i1;
        z1 = t0 + t3;
        var z2 = t1 + t2;
        var z3 = t0 + t2;
        var z4 = t1 + t3;
        var z5 = (z3 + z4) * Fix1175875602;
        t0 *= Fix0298631336;
        t1 *= Fix2053119869;
        t2 *= Fix3072711026;
        t3 *= Fix1501321110;
        z1 *= -Fix0899976223;
        z2 *= -Fix2562915447;
        z3 = (z3 * -Fix1961570560) + z5;
        z4 = (z4 * -Fix0390180644) + z5;
        t0 += z1 + z3;
        t1 += z2 + z4;
        t2 += z2 + z3;
        t3 += z1 + z4;

        var round = Vector256.Create((1 << (shift - 1)) + (bias << shift));
        tmp10 += round;
        tmp11 += round;
        tmp12 += round;
        tmp13 += round;
        i0 = Vector256.ShiftRightArithmetic(tmp10 + t3, shift);
        i7 = Vector256.ShiftRightArithmetic(tmp10 - t3, shift);
        i1 = Vector256.ShiftRightArithmetic(tmp11 + t2, shift);
        i6 = Vector256.ShiftRightArithmetic(tmp11 - t2, shift);
        i2 = Vector256.ShiftRightArithmetic(tmp12 + t1, shift);
        i5 = Vector256.ShiftRightArithmetic(tmp12 - t1, shift);
        i3 = Vector256.ShiftRightArithmetic(tmp13 + t0, shift);
        i4 = Vector256.ShiftRightArithmetic(tmp13 - t0, shift);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(
        ref Vector256<int> r0, ref Vector256<int> r1, ref Vector256<int> r2, ref Vector256<int> r3,
        ref Vector256<int> r4, ref Vector256<int> r5, ref Vector256<int> r6, ref Vector256<int> r7)
    {
        var t0 = Avx2.UnpackLow(r0, r1).AsInt64();
        var t1 = Avx2.UnpackHigh(r0, r1).AsInt64();
        var t2 = Avx2.UnpackLow(r2, r3).AsInt64();
        var t3 = Avx2.UnpackHigh(r2, r3).AsInt64();
        var t4 = Avx2.UnpackLow(r4, r5).AsInt64();
        var t5 = Avx2.UnpackHigh(r4, r5).AsInt64();
        var t6 = Avx2.UnpackLow(r6, r7).AsInt64();
        var t7 = Avx2.UnpackHigh(r6, r7).AsInt64();
        var u0 = Avx2.UnpackLow(t0, t2).AsInt32();
        var u1 = Avx2.UnpackHigh(t0, t2).AsInt32();
        var u2 = Avx2.UnpackLow(t1, t3).AsInt32();
        var u3 = Avx2.UnpackHigh(t1, t3).AsInt32();
        var u4 = Avx2.UnpackLow(t4, t6).AsInt32();
        var u5 = Avx2.UnpackHigh(t4, t6).AsInt32();
        var u6 = Avx2.UnpackLow(t5, t7).AsInt32();
        var u7 = Avx2.UnpackHigh(t5, t7).AsInt32();
        r0 = Avx2.Permute2x128(u0, u4, 0x20);
        r4 = Avx2.Permute2x128(u0, u4, 0x31);
        r1 = Avx2.Permute2x128(u1, u5, 0x20);
        r5 = Avx2.Permute2x128(u1, u5, 0x31);
        r2 = Avx2.Permute2x128(u2, u6, 0x20);
        r6 = Avx2.Permute2x128(u2, u6, 0x31);
        r3 = Avx2.Permute2x128(u3, u7, 0x20);
        r7 = Avx2.Permute2x128(u3, u7, 0x31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte ClampToByte(int value) => (byte)Math.Clamp(value, 0, 255);
}
