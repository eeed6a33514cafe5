using System.Buffers.Binary;

namespace Easel.Imaging.Codecs.Png;

// Converts one unfiltered row of any PNG colour type / bit depth to RGBA8, writing every `step`-th output pixel
// (step > 1 places Adam7 pass pixels). 16-bit samples keep their high byte; transparency keys compare full values.
internal sealed class PngPixelUnpacker
{
    private readonly PngHeader _header;
    private readonly byte[] _paletteRgba = new byte[256 * 4];
    private readonly int _paletteCount;
    private readonly int _keyGrey = -1;
    private readonly int _keyRed = -1;
    private readonly int _keyGreen = -1;
    private readonly int _keyBlue = -1;

    public PngPixelUnpacker(PngHeader header, ReadOnlySpan<byte> palette, ReadOnlySpan<byte> transparency)
    {
        _header = header;
        switch (header.ColorType)
        {
            case PngColorType.Palette:
                _paletteCount = palette.Length / 3;
                for (var i = 0; i < _paletteCount; i++)
                {
                    _paletteRgba[i * 4] = palette[i * 3];
                    _paletteRgba[(i * 4) + 1] = palette[(i * 3) + 1];
                    _paletteRgba[(i * 4) + 2] = palette[(i * 3) + 2];
                    _paletteRgba[(i * 4) + 3] = i < transparency.Length ? transparency[i] : (byte)255;
                }

                break;
            // A tRNS of the wrong size is ignored rather than fatal, as libpng does: it is ancillary.
            case PngColorType.Grey when transparency.Length == 2:
                _keyGrey = BinaryPrimitives.ReadUInt16BigEndian(transparency);
                break;
            case PngColorType.Rgb when transparency.Length == 6:
                _keyRed = BinaryPrimitives.ReadUInt16BigEndian(transparency);
                _keyGreen = BinaryPrimitives.ReadUInt16BigEndian(transparency[2..]);
                _keyBlue = BinaryPrimitives.ReadUInt16BigEndian(transparency[4..]);
                break;
            default:
                break;
        }
    }

    public void Unpack(ReadOnlySpan<byte> raw, int count, Span<byte> output, int step)
    {
        var depth = _header.BitDepth;
        switch (_header.ColorType)
        {
            case PngColorType.Grey when depth < 8:
                UnpackLowDepthGrey(raw, count, output, step, depth);
                break;
            case PngColorType.Palette:
                UnpackPalette(raw, count, output, step, depth);
                break;
            case PngColorType.Grey:
                for (int i = 0, o = 0; i < count; i++, o += step)
                {
                    var sample = depth == 8 ? raw[i] : BinaryPrimitives.ReadUInt16BigEndian(raw[(i * 2)..]);
                    var grey = depth == 8 ? (byte)sample : (byte)(sample >> 8);
                    output[o] = output[o + 1] = output[o + 2] = grey;
                    output[o + 3] = sample == _keyGrey ? (byte)0 : (byte)255;
                }

                break;
            case PngColorType.GreyAlpha:
                for (int i = 0, o = 0, s = depth / 4; i < count; i++, o += step)
                {
                    var p = i * s;
                    output[o] = output[o + 1] = output[o + 2] = raw[p];
                    output[o + 3] = raw[p + (s / 2)];
                }

                break;
            case PngColorType.Rgb:
                UnpackRgb(raw, count, output, step, depth);
                break;
            case PngColorType.Rgba when depth == 8 && step == 4:
                raw[..(count * 4)].CopyTo(output);
                break;
            case PngColorType.Rgba:
                for (int i = 0, o = 0, s = depth / 2, c = depth / 8; i < count; i++, o += step)
                {
                    var p = i * s;
                    output[o] = raw[p];
                    output[o + 1] = raw[p + c];
                    output[o + 2] = raw[p + (2 * c)];
                    output[o + 3] = raw[p + (3 * c)];
                }

                break;
            default:
                throw new ImageDecodeException($"PNG colour type {(int)_header.ColorType} is not defined.");
        }
    }

    private void UnpackLowDepthGrey(ReadOnlySpan<byte> raw, int count, Span<byte> output, int step, int depth)
    {
        var mask = (1 << depth) - 1;
        var scale = 255 / mask;
        for (int i = 0, o = 0; i < count; i++, o += step)
        {
            var sample = SubByteSample(raw, i, depth, mask);
            output[o] = output[o + 1] = output[o + 2] = (byte)(sample * scale);
            output[o + 3] = sample == _keyGrey ? (byte)0 : (byte)255;
        }
    }

    private void UnpackPalette(ReadOnlySpan<byte> raw, int count, Span<byte> output, int step, int depth)
    {
        var mask = (1 << depth) - 1;
        for (int i = 0, o = 0; i < count; i++, o += step)
        {
            var index = depth == 8 ? raw[i] : SubByteSample(raw, i, depth, mask);
            if (index >= _paletteCount)
            {
                throw new ImageDecodeException($"PNG palette index {index} is outside the {_paletteCount}-entry palette.");
            }

            _paletteRgba.AsSpan(index * 4, 4).CopyTo(output[o..]);
        }
    }

    private void UnpackRgb(ReadOnlySpan<byte> raw, int count, Span<byte> output, int step, int depth)
    {
        var hasKey = _keyRed >= 0;
        for (int i = 0, o = 0; i < count; i++, o += step)
        {
            if (depth == 8)
            {
                var p = i * 3;
                output[o] = raw[p];
                output[o + 1] = raw[p + 1];
                output[o + 2] = raw[p + 2];
                output[o + 3] = hasKey && raw[p] == _keyRed && raw[p + 1] == _keyGreen && raw[p + 2] == _keyBlue ? (byte)0 : (byte)255;
            }
            else
            {
                var p = i * 6;
                int r = BinaryPrimitives.ReadUInt16BigEndian(raw[p..]);
                int g = BinaryPrimitives.ReadUInt16BigEndian(raw[(p + 2)..]);
                int b = BinaryPrimitives.ReadUInt16BigEndian(raw[(p + 4)..]);
                output[o] = (byte)(r >> 8);
                output[o + 1] = (byte)(g >> 8);
                output[o + 2] = (byte)(b >> 8);
                output[o + 3] = hasKey && r == _keyRed && g == _keyGreen && b == _keyBlue ? (byte)0 : (byte)255;
            }
        }
    }

    // Sub-byte samples are packed most significant first (PNG spec 7.2).
    private static int SubByteSample(ReadOnlySpan<byte> raw, int index, int depth, int mask)
    {
        var bit = index * depth;
        return (raw[bit >> 3] >> (8 - depth - (bit & 7))) & mask;
    }
}
