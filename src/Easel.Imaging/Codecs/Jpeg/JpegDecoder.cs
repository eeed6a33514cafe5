using System.Buffers.Binary;

namespace Easel.Imaging.Codecs.Jpeg;

// Baseline, extended sequential and progressive Huffman-coded 8-bit JPEG (ITU T.81), 1, 3 or 4 components.
// Every scan decodes into per-component coefficient arrays; the output stage then runs the inverse DCT,
// upsamples chroma the way libjpeg does by default ("fancy" triangular filtering) and converts colour.
// Every size and count comes from a header that is checked before anything is allocated from it.
internal sealed partial class JpegDecoder
{
    // libjpeg-turbo's TurboJPEG caps scans for the same reason: each scan walks every block, so thousands of
    // tiny scan headers would turn a small file into minutes of work.
    private const int MaxScans = 1000;

    private readonly byte[] _data;
    private readonly long _maxPixels;
    private readonly JpegHuffmanTable?[] _dcTables = new JpegHuffmanTable?[4];
    private readonly JpegHuffmanTable?[] _acTables = new JpegHuffmanTable?[4];
    private readonly int[]?[] _quantTables = new int[]?[4];
    private JpegComponent[] _components = [];
    private int _width;
    private int _height;
    private bool _progressive;
    private int _hMax;
    private int _vMax;
    private int _mcusX;
    private int _mcusY;
    private int _restartInterval;
    private bool _sawJfif;
    private int _adobeTransform = -1;
    private int _orientation = 1;
    private int _scans;

    private JpegDecoder(byte[] data, long maxPixels)
    {
        _data = data;
        _maxPixels = maxPixels;
    }

    public static RgbaImage Decode(ReadOnlySpan<byte> data, long maxPixels)
        => new JpegDecoder(data.ToArray(), maxPixels).Run();

    private RgbaImage Run()
    {
        var data = _data;
        if (data.Length < 4 || data[0] != 0xFF || data[1] != JpegConstants.Soi)
        {
            throw new ImageDecodeException("The data does not start with a JPEG SOI marker.");
        }

        var position = 2;
        while (NextMarker(ref position, out var marker))
        {
            if (marker == JpegConstants.Eoi)
            {
                break;
            }

            // Standalone markers: SOI, RSTn (stray, outside a scan) and TEM carry no length.
            if (marker is JpegConstants.Soi or 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue;
            }

            if (position + 2 > data.Length)
            {
                throw new ImageDecodeException("The JPEG data is truncated inside a marker segment.");
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(position));
            if (length < 2 || position + length > data.Length)
            {
                throw new ImageDecodeException($"The JPEG marker segment 0x{marker:X2} has an invalid or truncated length.");
            }

            var segment = data.AsSpan(position + 2, length - 2);
            position += length;
            switch (marker)
            {
                case JpegConstants.Sof0 or JpegConstants.Sof1 or JpegConstants.Sof2:
                    ReadFrame(segment, marker == JpegConstants.Sof2);
                    break;
                case 0xC3:
                    throw Unsupported("lossless JPEG (SOF3)");
                case 0xC5 or 0xC6 or 0xC7:
                    throw Unsupported($"hierarchical (differential) JPEG (SOF{marker - 0xC0})");
                case >= 0xC9 and <= 0xCF and not JpegConstants.Dac:
                    throw Unsupported($"arithmetic-coded JPEG (SOF{marker - 0xC0})");
                case JpegConstants.Dht:
                    ReadHuffmanTables(segment);
                    break;
                case JpegConstants.Dqt:
                    ReadQuantTables(segment);
                    break;
                case JpegConstants.Dri:
                    if (segment.Length < 2)
                    {
                        throw new ImageDecodeException("The JPEG restart interval segment is too short.");
                    }

                    _restartInterval = BinaryPrimitives.ReadUInt16BigEndian(segment);
                    break;
                case JpegConstants.Sos:
                    position = DecodeScan(segment, position);
                    break;
                case JpegConstants.App0:
                    _sawJfif |= segment.StartsWith("JFIF\0"u8);
                    break;
                case JpegConstants.App1 when _orientation == 1 && segment.StartsWith("Exif\0\0"u8):
                    _orientation = ExifOrientation.Read(segment[6..]);
                    break;
                case JpegConstants.App14 when segment.Length >= 12 && segment.StartsWith("Adobe"u8):
                    _adobeTransform = segment[11];
                    break;
                default:
                    // APPn, COM, DNL, DAC and the like: nothing that changes the pixels of what we decode.
                    break;
            }
        }

        if (_components.Length == 0)
        {
            throw new ImageDecodeException("The JPEG data has no frame header (SOF).");
        }

        if (_scans == 0)
        {
            throw new ImageDecodeException("The JPEG data has no scan (SOS).");
        }

        // A missing EOI after at least one scan is tolerated, as libjpeg does: the image is what has arrived.
        var image = JpegOutput.Render(_components, _width, _height, _hMax, _vMax, ColorModel());
        return ExifOrientation.Apply(image, _orientation);
    }

    // Skips anything up to the next marker (libjpeg tolerates such garbage with a warning).
    private bool NextMarker(ref int position, out byte marker)
    {
        var data = _data;
        while (position + 1 < data.Length)
        {
            if (data[position] == 0xFF)
            {
                var code = data[position + 1];
                if (code is not 0x00 and not 0xFF)
                {
                    marker = code;
                    position += 2;
                    return true;
                }

                position += code == 0xFF ? 1 : 2;
                continue;
            }

            position++;
        }

        marker = 0;
        return false;
    }

    private void ReadFrame(ReadOnlySpan<byte> segment, bool progressive)
    {
        if (_components.Length != 0)
        {
            throw new ImageDecodeException("The JPEG data has more than one frame header.");
        }

        if (segment.Length < 6)
        {
            throw new ImageDecodeException("The JPEG frame header is too short.");
        }

        int precision = segment[0];
        int height = BinaryPrimitives.ReadUInt16BigEndian(segment[1..]);
        int width = BinaryPrimitives.ReadUInt16BigEndian(segment[3..]);
        int count = segment[5];
        if (precision == 12 || precision == 16)
        {
            throw Unsupported($"{precision}-bit JPEG");
        }

        if (precision != 8)
        {
            throw new ImageDecodeException($"The JPEG frame declares an invalid sample precision of {precision} bits.");
        }

        if (height == 0)
        {
            throw new ImageDecodeException("The JPEG frame defers its height to a DNL marker, which is not supported.");
        }

        if (width == 0)
        {
            throw new ImageDecodeException("The JPEG frame declares a width of 0.");
        }

        ImageCodec.ThrowIfTooLarge(width, height, _maxPixels);
        if (count is not (1 or 3 or 4))
        {
            throw new ImageDecodeException($"The JPEG frame has {count} components; 1, 3 or 4 are supported.");
        }

        if (segment.Length < 6 + (3 * count))
        {
            throw new ImageDecodeException("The JPEG frame header is too short for its components.");
        }

        var components = new JpegComponent[count];
        for (var i = 0; i < count; i++)
        {
            var entry = segment.Slice(6 + (3 * i), 3);
            int h = entry[1] >> 4;
            int v = entry[1] & 15;
            if (h is < 1 or > 4 || v is < 1 or > 4 || entry[2] > 3)
            {
                throw new ImageDecodeException("The JPEG frame has a component with invalid sampling factors or table.");
            }

            for (var j = 0; j < i; j++)
            {
                if (components[j].Id == entry[0])
                {
                    throw new ImageDecodeException("The JPEG frame has two components with the same identifier.");
                }
            }

            components[i] = new JpegComponent(entry[0], h, v, entry[2]);
        }

        var hMax = components.Max(c => c.H);
        var vMax = components.Max(c => c.V);
        foreach (var c in components)
        {
            if (hMax % c.H != 0 || vMax % c.V != 0)
            {
                throw Unsupported("JPEG with fractional chroma sampling ratios");
            }
        }

        _width = width;
        _height = height;
        _progressive = progressive;
        _hMax = hMax;
        _vMax = vMax;
        _mcusX = (width + (8 * hMax) - 1) / (8 * hMax);
        _mcusY = (height + (8 * vMax) - 1) / (8 * vMax);
        foreach (var c in components)
        {
            c.Width = ((width * c.H) + hMax - 1) / hMax;
            c.Height = ((height * c.V) + vMax - 1) / vMax;
            c.BlocksWide = (c.Width + 7) / 8;
            c.BlocksHigh = (c.Height + 7) / 8;
            c.BlocksPerLine = _mcusX * c.H;
            c.BlocksPerColumn = _mcusY * c.V;
            // Bounded: the pixel budget was checked above, and padding adds at most one MCU per side.
            c.Coefficients = new short[(long)c.BlocksPerLine * c.BlocksPerColumn * 64];
        }

        _components = components;
    }

    private void ReadHuffmanTables(ReadOnlySpan<byte> segment)
    {
        while (!segment.IsEmpty)
        {
            if (segment.Length < 17)
            {
                throw new ImageDecodeException("The JPEG Huffman table segment is truncated.");
            }

            int tableClass = segment[0] >> 4;
            int index = segment[0] & 15;
            if (tableClass > 1 || index > 3)
            {
                throw new ImageDecodeException("The JPEG data defines a Huffman table with an invalid class or index.");
            }

            var counts = segment.Slice(1, 16);
            var total = 0;
            foreach (var n in counts)
            {
                total += n;
            }

            if (total > 256 || segment.Length < 17 + total)
            {
                throw new ImageDecodeException("The JPEG Huffman table segment is truncated or declares too many codes.");
            }

            var table = new JpegHuffmanTable(counts, segment.Slice(17, total));
            (tableClass == 0 ? _dcTables : _acTables)[index] = table;
            segment = segment[(17 + total)..];
        }
    }

    private void ReadQuantTables(ReadOnlySpan<byte> segment)
    {
        var natural = JpegConstants.NaturalOrder;
        while (!segment.IsEmpty)
        {
            int precision = segment[0] >> 4;
            int index = segment[0] & 15;
            var size = precision == 0 ? 64 : 128;
            if (precision > 1 || index > 3 || segment.Length < 1 + size)
            {
                throw new ImageDecodeException("The JPEG quantisation table segment is invalid or truncated.");
            }

            var table = new int[64];
            for (var k = 0; k < 64; k++)
            {
                table[natural[k]] = precision == 0 ? segment[1 + k] : BinaryPrimitives.ReadUInt16BigEndian(segment[(1 + (2 * k))..]);
            }

            _quantTables[index] = table;
            segment = segment[(1 + size)..];
        }
    }

    private ColorModel ColorModel()
    {
        switch (_components.Length)
        {
            case 1:
                return Jpeg.ColorModel.Grey;
            case 3:
                if (_sawJfif)
                {
                    return Jpeg.ColorModel.YCbCr;
                }

                if (_adobeTransform >= 0)
                {
                    return _adobeTransform == 0 ? Jpeg.ColorModel.Rgb : Jpeg.ColorModel.YCbCr;
                }

                // libjpeg's guess for files with neither marker: components named R, G, B are RGB.
                return _components[0].Id == 'R' && _components[1].Id == 'G' && _components[2].Id == 'B'
                    ? Jpeg.ColorModel.Rgb
                    : Jpeg.ColorModel.YCbCr;
            default:
                if (_adobeTransform == 2)
                {
                    return Jpeg.ColorModel.Ycck;
                }

                // Adobe's applications store CMYK inverted; without their marker the values are taken as plain ink.
                return _adobeTransform >= 0 ? Jpeg.ColorModel.CmykInverted : Jpeg.ColorModel.Cmyk;
        }
    }

    internal static UnsupportedImageFormatException Unsupported(string feature)
        => UnsupportedImageFormatException.ForFeature(
            ImageFormat.Jpeg,
            $"{feature} is not supported; Easel decodes baseline, extended sequential and progressive Huffman-coded 8-bit JPEG");
}

internal enum ColorModel
{
    Grey,
    YCbCr,
    Rgb,
    Cmyk,
    CmykInverted,
    Ycck,
}
