namespace Easel.Imaging.Codecs.Png;

internal enum PngColorType : byte
{
    Grey = 0,
    Rgb = 2,
    Palette = 3,
    GreyAlpha = 4,
    Rgba = 6,
}

internal readonly record struct PngHeader(int Width, int Height, int BitDepth, PngColorType ColorType, bool Interlaced)
{
    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public int Channels => ColorType switch
    {
        PngColorType.Grey or PngColorType.Palette => 1,
        PngColorType.GreyAlpha => 2,
        PngColorType.Rgb => 3,
        _ => 4,
    };

    public int BitsPerPixel => Channels * BitDepth;

    // The filter unit: bytes per complete pixel, rounded up to 1 for sub-byte depths (PNG spec 9.2).
    public int FilterStride => Math.Max(1, BitsPerPixel / 8);

    public int RowBytes(int width) => (int)(((long)width * BitsPerPixel + 7) / 8);

    // IHDR is 13 bytes; the values are validated here so nothing downstream sees an impossible combination.
    public static PngHeader Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length != 13)
        {
            throw new ImageDecodeException($"PNG IHDR must be 13 bytes, got {data.Length}.");
        }

        var width = ReadUInt31(data, "width");
        var height = ReadUInt31(data[4..], "height");
        int bitDepth = data[8];
        var colorType = (PngColorType)data[9];
        var allowed = colorType switch
        {
            PngColorType.Grey => bitDepth is 1 or 2 or 4 or 8 or 16,
            PngColorType.Palette => bitDepth is 1 or 2 or 4 or 8,
            PngColorType.Rgb or PngColorType.GreyAlpha or PngColorType.Rgba => bitDepth is 8 or 16,
            _ => throw new ImageDecodeException($"PNG colour type {data[9]} is not defined."),
        };
        if (!allowed)
        {
            throw new ImageDecodeException($"PNG bit depth {bitDepth} is not allowed for colour type {data[9]}.");
        }

        if (data[10] != 0 || data[11] != 0)
        {
            throw new ImageDecodeException("PNG compression or filter method is not 0.");
        }

        if (data[12] > 1)
        {
            throw new ImageDecodeException($"PNG interlace method {data[12]} is not defined.");
        }

        return new PngHeader(width, height, bitDepth, colorType, data[12] == 1);
    }

    private static int ReadUInt31(ReadOnlySpan<byte> data, string what)
    {
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data);
        if (value is 0 or > int.MaxValue)
        {
            throw new ImageDecodeException($"PNG {what} {value} is out of range.");
        }

        return (int)value;
    }
}
