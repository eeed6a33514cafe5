using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Easel.Imaging.Codecs.Jpeg;

// Baseline JPEG (SOF0) with the Annex K tables scaled by the IJG quality formula, YCbCr 4:2:0 or 4:4:4,
// libjpeg's colour constants and accurate integer forward DCT (jfdctint.c), chroma box-averaged.
// Alpha is not representable in JPEG and is dropped: callers that care flatten the image first.
internal static class JpegEncoder
{
    private const int ConstBits = 13;
    private const int Pass1Bits = 2;

    public static byte[] Encode(RgbaImage image, int quality, JpegSubsampling subsampling)
    {
        var luminanceQuant = JpegStandardTables.ScaledQuant(JpegStandardTables.LuminanceQuant, quality);
        var chrominanceQuant = JpegStandardTables.ScaledQuant(JpegStandardTables.ChrominanceQuant, quality);
        var dcLuminance = new EncodingTable(JpegStandardTables.DcLuminanceCounts, JpegStandardTables.DcValues);
        var acLuminance = new EncodingTable(JpegStandardTables.AcLuminanceCounts, JpegStandardTables.AcLuminanceValues);
        var dcChrominance = new EncodingTable(JpegStandardTables.DcChrominanceCounts, JpegStandardTables.DcValues);
        var acChrominance = new EncodingTable(JpegStandardTables.AcChrominanceCounts, JpegStandardTables.AcChrominanceValues);

        var writer = new JpegBitWriter(Math.Max(4096, image.Width * image.Height / 4));
        WriteHeaders(writer, image, luminanceQuant, chrominanceQuant, subsampling);

        var factor = subsampling == JpegSubsampling.Yuv420 ? 2 : 1;
        var mcuSize = 8 * factor;
        var mcusX = (image.Width + mcuSize - 1) / mcuSize;
        var mcusY = (image.Height + mcuSize - 1) / mcuSize;
        var stripWidth = mcusX * mcuSize;
        var y = new byte[stripWidth * mcuSize];
        var cb = new byte[stripWidth * mcuSize];
        var cr = new byte[stripWidth * mcuSize];
        var cbSmall = new byte[stripWidth / factor * 8];
        var crSmall = new byte[stripWidth / factor * 8];
        var lumDivisors = Divisors(luminanceQuant);
        var chromDivisors = Divisors(chrominanceQuant);
        Span<int> block = stackalloc int[64];
        Span<short> coefficients = stackalloc short[64];
        int dcY = 0, dcCb = 0, dcCr = 0;
        for (var my = 0; my < mcusY; my++)
        {
            ConvertStrip(image, my * mcuSize, mcuSize, stripWidth, y, cb, cr);
            if (factor == 2)
            {
                Downsample(cb, cbSmall, stripWidth);
                Downsample(cr, crSmall, stripWidth);
            }

            var chromaCb = factor == 2 ? cbSmall : cb;
            var chromaCr = factor == 2 ? crSmall : cr;
            var chromaStride = stripWidth / factor;
            for (var mx = 0; mx < mcusX; mx++)
            {
                for (var v = 0; v < factor; v++)
                {
                    for (var h = 0; h < factor; h++)
                    {
                        var offset = (v * 8 * stripWidth) + (((mx * factor) + h) * 8);
                        EncodeBlock(writer, y.AsSpan(offset), stripWidth, block, coefficients, lumDivisors, ref dcY, dcLuminance, acLuminance);
                    }
                }

                EncodeBlock(writer, chromaCb.AsSpan(mx * 8), chromaStride, block, coefficients, chromDivisors, ref dcCb, dcChrominance, acChrominance);
                EncodeBlock(writer, chromaCr.AsSpan(mx * 8), chromaStride, block, coefficients, chromDivisors, ref dcCr, dcChrominance, acChrominance);
            }
        }

        writer.FlushBits();
        writer.WriteMarker(JpegConstants.Eoi);
        return writer.ToArray();
    }

    private static void WriteHeaders(JpegBitWriter writer, RgbaImage image, byte[] luminanceQuant, byte[] chrominanceQuant, JpegSubsampling subsampling)
    {
        writer.WriteMarker(JpegConstants.Soi);
        writer.WriteSegment(JpegConstants.App0, [(byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);

        Span<byte> dqt = stackalloc byte[130];
        var natural = JpegConstants.NaturalOrder;
        dqt[0] = 0;
        dqt[65] = 1;
        for (var k = 0; k < 64; k++)
        {
            dqt[1 + k] = luminanceQuant[natural[k]];
            dqt[66 + k] = chrominanceQuant[natural[k]];
        }

        writer.WriteSegment(JpegConstants.Dqt, dqt);

        var sampling = subsampling == JpegSubsampling.Yuv420 ? (byte)0x22 : (byte)0x11;
        Span<byte> sof = stackalloc byte[15];
        sof[0] = 8;
        BinaryPrimitives.WriteUInt16BigEndian(sof[1..], (ushort)image.Height);
        BinaryPrimitives.WriteUInt16BigEndian(sof[3..], (ushort)image.Width);
        sof[5] = 3;
        ReadOnlySpan<byte> components = [1, sampling, 0, 2, 0x11, 1, 3, 0x11, 1];
        components.CopyTo(sof[6..]);
        writer.WriteSegment(JpegConstants.Sof0, sof);

        WriteHuffman(writer, 0x00, JpegStandardTables.DcLuminanceCounts, JpegStandardTables.DcValues);
        WriteHuffman(writer, 0x10, JpegStandardTables.AcLuminanceCounts, JpegStandardTables.AcLuminanceValues);
        WriteHuffman(writer, 0x01, JpegStandardTables.DcChrominanceCounts, JpegStandardTables.DcValues);
        WriteHuffman(writer, 0x11, JpegStandardTables.AcChrominanceCounts, JpegStandardTables.AcChrominanceValues);

        writer.WriteSegment(JpegConstants.Sos, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
    }

    private static void WriteHuffman(JpegBitWriter writer, byte classAndIndex, ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values)
    {
        var segment = new byte[17 + values.Length];
        segment[0] = classAndIndex;
        counts.CopyTo(segment.AsSpan(1));
        values.CopyTo(segment.AsSpan(17));
        writer.WriteSegment(JpegConstants.Dht, segment);
    }

    // jccolor.c rgb_ycc_convert constants; rows and columns past the image repeat its last row and column.
    private static void ConvertStrip(RgbaImage image, int top, int rows, int stripWidth, byte[] y, byte[] cb, byte[] cr)
    {
        var width = image.Width;
        var pixels = image.Pixels;
        for (var r = 0; r < rows; r++)
        {
            var sourceRow = Math.Min(top + r, image.Height - 1) * width * 4;
            var o = r * stripWidth;
            for (var x = 0; x < stripWidth; x++, o++)
            {
                var p = sourceRow + (Math.Min(x, width - 1) * 4);
                int red = pixels[p];
                int green = pixels[p + 1];
                int blue = pixels[p + 2];
                y[o] = (byte)(((19595 * red) + (38470 * green) + (7471 * blue) + 32768) >> 16);
                cb[o] = (byte)(((-11059 * red) - (21709 * green) + (32768 * blue) + (128 << 16) + 32767) >> 16);
                cr[o] = (byte)(((32768 * red) - (27439 * green) - (5329 * blue) + (128 << 16) + 32767) >> 16);
            }
        }
    }

    // 2x2 box average (jcsample.c h2v2_downsample, with its alternating 1/2 rounding bias).
    private static void Downsample(byte[] full, byte[] half, int stripWidth)
    {
        var halfWidth = stripWidth / 2;
        for (var r = 0; r < 8; r++)
        {
            var top = 2 * r * stripWidth;
            var bottom = top + stripWidth;
            var bias = 1;
            for (var x = 0; x < halfWidth; x++)
            {
                var sum = full[top + (2 * x)] + full[top + (2 * x) + 1] + full[bottom + (2 * x)] + full[bottom + (2 * x) + 1];
                half[(r * halfWidth) + x] = (byte)((sum + bias) >> 2);
                bias ^= 3;
            }
        }
    }

    // libjpeg divides DCT outputs (scaled up by 8) by 8 * q, rounding to nearest.
    private static int[] Divisors(byte[] quant)
    {
        var divisors = new int[64];
        for (var i = 0; i < 64; i++)
        {
            divisors[i] = quant[i] * 8;
        }

        return divisors;
    }

    private static void EncodeBlock(
        JpegBitWriter writer, ReadOnlySpan<byte> samples, int stride, Span<int> block, Span<short> coefficients,
        int[] divisors, ref int previousDc, EncodingTable dc, EncodingTable ac)
    {
        for (var r = 0; r < 8; r++)
        {
            var row = samples.Slice(r * stride, 8);
            for (var c = 0; c < 8; c++)
            {
                block[(r * 8) + c] = row[c] - 128;
            }
        }

        ForwardDct(block);
        var natural = JpegConstants.NaturalOrder;
        for (var k = 0; k < 64; k++)
        {
            var index = natural[k];
            var value = block[index];
            var divisor = divisors[index];
            var half = divisor >> 1;
            coefficients[k] = (short)(value < 0 ? -((-value + half) / divisor) : (value + half) / divisor);
        }

        var diff = coefficients[0] - previousDc;
        previousDc = coefficients[0];
        var size = MagnitudeBits(diff);
        writer.WriteBits(dc.Codes[size], dc.Lengths[size]);
        if (size != 0)
        {
            writer.WriteBits(diff < 0 ? diff - 1 : diff, size);
        }

        var run = 0;
        for (var k = 1; k < 64; k++)
        {
            int value = coefficients[k];
            if (value == 0)
            {
                run++;
                continue;
            }

            while (run > 15)
            {
                writer.WriteBits(ac.Codes[0xF0], ac.Lengths[0xF0]);
                run -= 16;
            }

            size = MagnitudeBits(value);
            var symbol = (run << 4) | size;
            writer.WriteBits(ac.Codes[symbol], ac.Lengths[symbol]);
            writer.WriteBits(value < 0 ? value - 1 : value, size);
            run = 0;
        }

        if (run > 0)
        {
            writer.WriteBits(ac.Codes[0], ac.Lengths[0]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MagnitudeBits(int value) => value == 0 ? 0 : 32 - int.LeadingZeroCount(Math.Abs(value));

    // jfdctint.c: rows, then columns; outputs are scaled up by 8.
    private static void ForwardDct(Span<int> data)
    {
        for (var pass = 0; pass < 2; pass++)
        {
            var step = pass == 0 ? 1 : 8;
            var line = pass == 0 ? 8 : 1;
            for (var i = 0; i < 8; i++)
            {
                var b = i * line;
                var d0 = data[b];
                var d1 = data[b + step];
                var d2 = data[b + (2 * step)];
                var d3 = data[b + (3 * step)];
                var d4 = data[b + (4 * step)];
                var d5 = data[b + (5 * step)];
                var d6 = data[b + (6 * step)];
                var d7 = data[b + (7 * step)];
                var tmp0 = d0 + d7;
                var tmp7 = d0 - d7;
                var tmp1 = d1 + d6;
                var tmp6 = d1 - d6;
                var tmp2 = d2 + d5;
                var tmp5 = d2 - d5;
                var tmp3 = d3 + d4;
                var tmp4 = d3 - d4;
                var tmp10 = tmp0 + tmp3;
                var tmp13 = tmp0 - tmp3;
                var tmp11 = tmp1 + tmp2;
                var tmp12 = tmp1 - tmp2;
                var shift = pass == 0 ? ConstBits - Pass1Bits : ConstBits + Pass1Bits;
                var round = 1 << (shift - 1);
                if (pass == 0)
                {
                    data[b] = (tmp10 + tmp11) << Pass1Bits;
                    data[b + (4 * step)] = (tmp10 - tmp11) << Pass1Bits;
                }
                else
                {
                    data[b] = (tmp10 + tmp11 + (1 << (Pass1Bits - 1))) >> Pass1Bits;
                    data[b + (4 * step)] = (tmp10 - tmp11 + (1 << (Pass1Bits - 1))) >> Pass1Bits;
                }

                var z1 = (tmp12 + tmp13) * 4433;
                data[b + (2 * step)] = (z1 + (tmp13 * 6270) + round) >> shift;
                data[b + (6 * step)] = (z1 - (tmp12 * 15137) + round) >> shift;

                z1 = tmp4 + tmp7;
                var z2 = tmp5 + tmp6;
                var z3 = tmp4 + tmp6;
                var z4 = tmp5 + tmp7;
                var z5 = (z3 + z4) * 9633;
                tmp4 *= 2446;
                tmp5 *= 16819;
                tmp6 *= 25172;
                tmp7 *= 12299;
                z1 *= -7373;
                z2 *= -20995;
                z3 = (z3 * -16069) + z5;
                z4 = (z4 * -3196) + z5;
                data[b + (7 * step)] = (tmp4 + z1 + z3 + round) >> shift;
                data[b + (5 * step)] = (tmp5 + z2 + z4 + round) >> shift;
                data[b + (3 * step)] = (tmp6 + z2 + z3 + round) >> shift;
                data[b + step] = (tmp7 + z1 + z4 + round) >> shift;
            }
        }
    }

    // Code and length per symbol (T.81 Annex C), from the same counts/values the DHT segment carries.
    private sealed class EncodingTable
    {
        public EncodingTable(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values)
        {
            var code = 0;
            var k = 0;
            for (var length = 1; length <= 16; length++)
            {
                for (var i = 0; i < counts[length - 1]; i++, k++, code++)
                {
                    Codes[values[k]] = code;
                    Lengths[values[k]] = length;
                }

                code <<= 1;
            }
        }

        public int[] Codes { get; } = new int[256];

        public int[] Lengths { get; } = new int[256];
    }
}

// Entropy-coded output with FF 00 byte stuffing.
internal sealed class JpegBitWriter(int capacity)
{
    private byte[] _buffer = new byte[capacity];
    private int _length;
    private ulong _bits;
    private int _count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteBits(int value, int length)
    {
        _bits = (_bits << length) | ((uint)value & ((1u << length) - 1));
        _count += length;
        if (_count >= 32)
        {
            Drain();
        }
    }

    public void FlushBits()
    {
        // Pad the last byte with 1 bits (T.81 F.1.2.3).
        var pad = (8 - (_count & 7)) & 7;
        if (pad > 0)
        {
            WriteBits((1 << pad) - 1, pad);
        }

        Drain();
    }

    public void WriteMarker(byte marker)
    {
        Ensure(2);
        _buffer[_length++] = 0xFF;
        _buffer[_length++] = marker;
    }

    public void WriteSegment(byte marker, ReadOnlySpan<byte> data)
    {
        WriteMarker(marker);
        Ensure(2 + data.Length);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_length), (ushort)(data.Length + 2));
        _length += 2;
        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    private void Drain()
    {
        Ensure(16);
        while (_count >= 8)
        {
            _count -= 8;
            var b = (byte)(_bits >> _count);
            _buffer[_length++] = b;
            if (b == 0xFF)
            {
                _buffer[_length++] = 0;
            }
        }
    }

    private void Ensure(int more)
    {
        if (_length + more > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
        }
    }
}
