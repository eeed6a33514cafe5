using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Easel.Imaging.Codecs.Jpeg;

// Coefficients -> RGBA: inverse DCT of every block into component planes, then per output row chroma upsampling
// and colour conversion. Upsampling follows libjpeg-turbo's defaults exactly (jdsample.c): triangular ("fancy")
// filters for 2x1, 1x2 and 2x2, replication for other integer ratios, edges taken from the real samples.
internal static class JpegOutput
{
    private const int RowsPerTask = 16;

    public static RgbaImage Render(JpegComponent[] components, int width, int height, int hMax, int vMax, ColorModel model)
    {
        InverseTransform(components);
        var image = new RgbaImage(width, height);
        var pixels = image.Pixels;
        var bands = (height + RowsPerTask - 1) / RowsPerTask;
        var scratchLength = (width + 32) & ~15;
        Parallel.For(
            0,
            bands,
            () => new RowScratch(components.Length, scratchLength),
            (band, _, scratch) =>
            {
                var end = Math.Min(height, (band + 1) * RowsPerTask);
                for (var y = band * RowsPerTask; y < end; y++)
                {
                    var output = pixels.AsSpan(y * width * 4, width * 4);
                    switch (model)
                    {
                        case ColorModel.Grey:
                            JpegColor.Grey(UpsampledRow(components[0], y, hMax, vMax, scratch, 0), output);
                            break;
                        case ColorModel.YCbCr:
                            JpegColor.YCbCr(
                                UpsampledRow(components[0], y, hMax, vMax, scratch, 0),
                                UpsampledRow(components[1], y, hMax, vMax, scratch, 1),
                                UpsampledRow(components[2], y, hMax, vMax, scratch, 2),
                                output);
                            break;
                        case ColorModel.Rgb:
                            JpegColor.Rgb(
                                UpsampledRow(components[0], y, hMax, vMax, scratch, 0),
                                UpsampledRow(components[1], y, hMax, vMax, scratch, 1),
                                UpsampledRow(components[2], y, hMax, vMax, scratch, 2),
                                output);
                            break;
                        default:
                            JpegColor.FourComponent(
                                UpsampledRow(components[0], y, hMax, vMax, scratch, 0),
                                UpsampledRow(components[1], y, hMax, vMax, scratch, 1),
                                UpsampledRow(components[2], y, hMax, vMax, scratch, 2),
                                UpsampledRow(components[3], y, hMax, vMax, scratch, 3),
                                model,
                                output);
                            break;
                    }
                }

                return scratch;
            },
            static _ => { });
        return image;
    }

    private static void InverseTransform(JpegComponent[] components)
    {
        var rowStarts = new int[components.Length + 1];
        for (var i = 0; i < components.Length; i++)
        {
            var c = components[i];
            c.Plane = new byte[(long)c.PlaneStride * c.BlocksPerColumn * 8];
            rowStarts[i + 1] = rowStarts[i] + c.BlocksHigh;
        }

        Parallel.For(0, rowStarts[^1], index =>
        {
            var ci = 0;
            while (index >= rowStarts[ci + 1])
            {
                ci++;
            }

            var c = components[ci];
            var by = index - rowStarts[ci];
            var quant = c.Quant ?? new int[64];
            var stride = c.PlaneStride;
            for (var bx = 0; bx < c.BlocksWide; bx++)
            {
                var block = c.Coefficients.AsSpan(((by * c.BlocksPerLine) + bx) * 64, 64);
                var output = c.Plane.AsSpan((by * 8 * stride) + (bx * 8));
                if (HasOnlyDc(block))
                {
                    var value = JpegIdct.DcOnlyValue(block[0], quant[0]);
                    for (var r = 0; r < 8; r++)
                    {
                        output.Slice(r * stride, 8).Fill(value);
                    }
                }
                else
                {
                    JpegIdct.Transform(block, quant, output, stride);
                }
            }
        });
    }

    private static bool HasOnlyDc(ReadOnlySpan<short> block)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            var first = Vector256.Create(block[..16]).WithElement(0, (short)0);
            var any = first | Vector256.Create(block.Slice(16, 16)) | Vector256.Create(block.Slice(32, 16)) | Vector256.Create(block.Slice(48, 16));
            return any == Vector256<short>.Zero;
        }

        return !block[1..].ContainsAnyExcept((short)0);
    }

    // The component's samples for output row y at full width: the plane row itself when not subsampled.
    private static ReadOnlySpan<byte> UpsampledRow(JpegComponent c, int y, int hMax, int vMax, RowScratch scratch, int index)
    {
        var sx = hMax / c.H;
        var sy = vMax / c.V;
        var plane = c.Plane;
        var stride = c.PlaneStride;
        var destination = scratch.Rows[index];
        if (sy == 2 && (sx == 2 ? c.Width > 2 : sx == 1))
        {
            // Triangular vertical filter: 3/4 of the nearer row, 1/4 of the next nearest (row above for the upper output row).
            var near = y >> 1;
            var below = (y & 1) == 1;
            var far = below ? Math.Min(near + 1, c.Height - 1) : Math.Max(near - 1, 0);
            var nearRow = plane.AsSpan(near * stride, c.Width);
            var farRow = plane.AsSpan(far * stride, c.Width);
            if (sx == 1)
            {
                JpegUpsample.H1V2(nearRow, farRow, below ? 2 : 1, destination);
            }
            else
            {
                JpegUpsample.H2V2(nearRow, farRow, scratch.ColumnSums, destination);
            }

            return destination;
        }

        var sourceRow = plane.AsSpan((y / sy) * stride, c.Width);
        if (sx == 1)
        {
            return sourceRow;
        }

        if (sx == 2 && c.Width > 2)
        {
            JpegUpsample.H2V1(sourceRow, destination);
        }
        else
        {
            JpegUpsample.Replicate(sourceRow, sx, destination);
        }

        return destination;
    }

    private sealed class RowScratch
    {
        public RowScratch(int components, int length)
        {
            Rows = new byte[components][];
            for (var i = 0; i < components; i++)
            {
                Rows[i] = new byte[length];
            }

            ColumnSums = new ushort[length];
        }

        public byte[][] Rows { get; }

        public ushort[] ColumnSums { get; }
    }
}

internal static class JpegUpsample
{
    // jdsample.c h2v1_fancy_upsample: each output is 3/4 of the nearer input and 1/4 of the further, alternating rounding.
    // Vectorised as 16-bit lanes: an output pair (even | odd << 8) is one ushort, so storing lanes interleaves them.
    public static void H2V1(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var n = input.Length;
        output[0] = input[0];
        output[1] = (byte)(((input[0] * 3) + input[1] + 2) >> 2);
        var i = 1;
        if (Vector256.IsHardwareAccelerated)
        {
            var pairs = MemoryMarshal.Cast<byte, ushort>(output);
            for (; i + 17 <= n; i += 16)
            {
                var left = Widen16(input.Slice(i - 1, 16));
                var centre = Widen16(input.Slice(i, 16)) * 3;
                var right = Widen16(input.Slice(i + 1, 16));
                var even = (centre + left + Vector256.Create((ushort)1)) >> 2;
                var odd = (centre + right + Vector256.Create((ushort)2)) >> 2;
                (even | (odd << 8)).CopyTo(pairs[i..]);
            }
        }

        for (; i < n - 1; i++)
        {
            var value = input[i] * 3;
            output[2 * i] = (byte)((value + input[i - 1] + 1) >> 2);
            output[(2 * i) + 1] = (byte)((value + input[i + 1] + 2) >> 2);
        }

        output[(2 * n) - 2] = (byte)(((input[n - 1] * 3) + input[n - 2] + 1) >> 2);
        output[(2 * n) - 1] = input[n - 1];
    }

    // jdsample.c h1v2_fancy_upsample.
    public static void H1V2(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, int bias, Span<byte> output)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var add = Vector256.Create((ushort)bias);
            for (; i + 16 <= near.Length; i += 16)
            {
                var value = ((Widen16(near.Slice(i, 16)) * 3) + Widen16(far.Slice(i, 16)) + add) >> 2;
                Vector128.Narrow(value.GetLower(), value.GetUpper()).CopyTo(output[i..]);
            }
        }

        for (; i < near.Length; i++)
        {
            output[i] = (byte)(((near[i] * 3) + far[i] + bias) >> 2);
        }
    }

    // jdsample.c h2v2_fancy_upsample: vertical 3:1 sums first, then the horizontal 3:1 filter on the sums.
    public static void H2V2(ReadOnlySpan<byte> near, ReadOnlySpan<byte> far, Span<ushort> sums, Span<byte> output)
    {
        var n = near.Length;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 16 <= n; i += 16)
            {
                ((Widen16(near.Slice(i, 16)) * 3) + Widen16(far.Slice(i, 16))).CopyTo(sums[i..]);
            }
        }

        for (; i < n; i++)
        {
            sums[i] = (ushort)((near[i] * 3) + far[i]);
        }

        output[0] = (byte)(((sums[0] * 4) + 8) >> 4);
        output[1] = (byte)(((sums[0] * 3) + sums[1] + 7) >> 4);
        i = 1;
        if (Vector256.IsHardwareAccelerated)
        {
            var pairs = MemoryMarshal.Cast<byte, ushort>(output);
            for (; i + 17 <= n; i += 16)
            {
                var left = Vector256.Create((ReadOnlySpan<ushort>)sums.Slice(i - 1, 16));
                var centre = Vector256.Create((ReadOnlySpan<ushort>)sums.Slice(i, 16)) * 3;
                var right = Vector256.Create((ReadOnlySpan<ushort>)sums.Slice(i + 1, 16));
                var even = (centre + left + Vector256.Create((ushort)8)) >> 4;
                var odd = (centre + right + Vector256.Create((ushort)7)) >> 4;
                (even | (odd << 8)).CopyTo(pairs[i..]);
            }
        }

        for (; i < n - 1; i++)
        {
            var value = sums[i] * 3;
            output[2 * i] = (byte)((value + sums[i - 1] + 8) >> 4);
            output[(2 * i) + 1] = (byte)((value + sums[i + 1] + 7) >> 4);
        }

        output[(2 * n) - 2] = (byte)(((sums[n - 1] * 3) + sums[n - 2] + 8) >> 4);
        output[(2 * n) - 1] = (byte)(((sums[n - 1] * 4) + 7) >> 4);
    }

    public static void Replicate(ReadOnlySpan<byte> input, int factor, Span<byte> output)
    {
        for (var i = 0; i < input.Length; i++)
        {
            output.Slice(i * factor, factor).Fill(input[i]);
        }
    }

    private static Vector256<ushort> Widen16(ReadOnlySpan<byte> sixteen)
    {
        var bytes = Vector128.Create(sixteen);
        return Vector256.Create(Vector128.WidenLower(bytes), Vector128.WidenUpper(bytes));
    }
}

// Colour conversion with libjpeg's fixed-point constants (jdcolor.c, 16 fraction bits, rounded), so results
// match djpeg; eight pixels at a time with Vector256 where the hardware has it.
internal static class JpegColor
{
    private const int Half = 1 << 15;
    private const int CrToR = 91881;
    private const int CbToB = 116130;
    private const int CbToG = -22554;
    private const int CrToG = -46802;

    public static void Grey(ReadOnlySpan<byte> y, Span<byte> output)
    {
        var width = output.Length / 4;
        var pixels = MemoryMarshal.Cast<byte, uint>(output);
        for (var x = 0; x < width; x++)
        {
            pixels[x] = (y[x] * 0x010101u) | 0xFF000000u;
        }
    }

    public static void Rgb(ReadOnlySpan<byte> r, ReadOnlySpan<byte> g, ReadOnlySpan<byte> b, Span<byte> output)
    {
        var width = output.Length / 4;
        var pixels = MemoryMarshal.Cast<byte, uint>(output);
        for (var x = 0; x < width; x++)
        {
            pixels[x] = r[x] | ((uint)g[x] << 8) | ((uint)b[x] << 16) | 0xFF000000u;
        }
    }

    public static void YCbCr(ReadOnlySpan<byte> y, ReadOnlySpan<byte> cb, ReadOnlySpan<byte> cr, Span<byte> output)
    {
        var width = output.Length / 4;
        var pixels = MemoryMarshal.Cast<byte, uint>(output);
        var x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var center = Vector256.Create(128);
            var half = Vector256.Create(Half);
            var max = Vector256.Create(255);
            var alpha = Vector256.Create(0xFF000000u);
            for (; x + 8 <= width; x += 8)
            {
                var yy = Widen(y.Slice(x, 8));
                var b = Widen(cb.Slice(x, 8)) - center;
                var r = Widen(cr.Slice(x, 8)) - center;
                var red = yy + Vector256.ShiftRightArithmetic((r * CrToR) + half, 16);
                var green = yy + Vector256.ShiftRightArithmetic((b * CbToG) + (r * CrToG) + half, 16);
                var blue = yy + Vector256.ShiftRightArithmetic((b * CbToB) + half, 16);
                red = Vector256.Min(Vector256.Max(red, Vector256<int>.Zero), max);
                green = Vector256.Min(Vector256.Max(green, Vector256<int>.Zero), max);
                blue = Vector256.Min(Vector256.Max(blue, Vector256<int>.Zero), max);
                var packed = red.AsUInt32() | (green.AsUInt32() << 8) | (blue.AsUInt32() << 16) | alpha;
                packed.CopyTo(pixels[x..]);
            }
        }

        for (; x < width; x++)
        {
            pixels[x] = Convert(y[x], cb[x], cr[x]) | 0xFF000000u;
        }
    }

    public static void FourComponent(ReadOnlySpan<byte> c0, ReadOnlySpan<byte> c1, ReadOnlySpan<byte> c2, ReadOnlySpan<byte> k, ColorModel model, Span<byte> output)
    {
        var width = output.Length / 4;
        for (var x = 0; x < width; x++)
        {
            int c, m, ye;
            if (model == ColorModel.Ycck)
            {
                // jdcolor.c ycck_cmyk_convert: YCC -> RGB, inverted into (Adobe-style) CMY; K passes through.
                var rgb = Convert(c0[x], c1[x], c2[x]);
                c = 255 - (int)(rgb & 0xFF);
                m = 255 - (int)((rgb >> 8) & 0xFF);
                ye = 255 - (int)((rgb >> 16) & 0xFF);
            }
            else
            {
                c = c0[x];
                m = c1[x];
                ye = c2[x];
            }

            var o = x * 4;
            if (model == ColorModel.Cmyk)
            {
                // Plain ink amounts: 0 = no ink.
                var white = 255 - k[x];
                output[o] = (byte)(((255 - c) * white + 127) / 255);
                output[o + 1] = (byte)(((255 - m) * white + 127) / 255);
                output[o + 2] = (byte)(((255 - ye) * white + 127) / 255);
            }
            else
            {
                // Adobe-inverted: 255 = no ink, so the stored values are already the light that remains.
                output[o] = (byte)(((c * k[x]) + 127) / 255);
                output[o + 1] = (byte)(((m * k[x]) + 127) / 255);
                output[o + 2] = (byte)(((ye * k[x]) + 127) / 255);
            }

            output[o + 3] = 255;
        }
    }

    // R | G << 8 | B << 16 for one pixel.
    private static uint Convert(int y, int cb, int cr)
    {
        cb -= 128;
        cr -= 128;
        var r = Math.Clamp(y + (((cr * CrToR) + Half) >> 16), 0, 255);
        var g = Math.Clamp(y + (((cb * CbToG) + (cr * CrToG) + Half) >> 16), 0, 255);
        var b = Math.Clamp(y + (((cb * CbToB) + Half) >> 16), 0, 255);
        return (uint)r | ((uint)g << 8) | ((uint)b << 16);
    }

    private static Vector256<int> Widen(ReadOnlySpan<byte> eight)
    {
        var bytes = Vector128.CreateScalar(MemoryMarshal.Read<ulong>(eight)).AsByte();
        var shorts = Vector128.WidenLower(bytes);
        return Vector256.Create(Vector128.WidenLower(shorts), Vector128.WidenUpper(shorts)).AsInt32();
    }
}
