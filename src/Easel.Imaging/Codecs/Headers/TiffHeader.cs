namespace Easel.Imaging.Codecs.Headers;

internal static class TiffHeader
{
    private const string Name = "TIFF";
    private const int ImageWidthTag = 256;
    private const int ImageLengthTag = 257;

    // Reads ImageWidth and ImageLength from the first IFD, classic (42) or BigTIFF (43).
    public static ImageInfo Identify(ReadOnlySpan<byte> data)
    {
        var little = data[0] == (byte)'I';
        var big = U16(data, 2, little) == 43;
        var ifd = big ? (long)U64(data, 8, little) : U32(data, 4, little);
        var count = big ? (long)U64(data, ifd, little) : U16(data, ifd, little);
        var entrySize = big ? 20 : 12;
        var first = ifd + (big ? 8 : 2);
        long width = -1, height = -1;
        for (long i = 0; i < count && (width < 0 || height < 0); i++)
        {
            var entry = first + (i * entrySize);
            if (entry > data.Length)
            {
                break;
            }

            var tag = U16(data, entry, little);
            if (tag is not (ImageWidthTag or ImageLengthTag))
            {
                continue;
            }

            var valueOffset = entry + (big ? 12 : 8);
            long value = U16(data, entry + 2, little) switch
            {
                3 => U16(data, valueOffset, little),
                4 => U32(data, valueOffset, little),
                16 => (long)Math.Min(U64(data, valueOffset, little), long.MaxValue),
                _ => throw new ImageDecodeException("The TIFF size tag has an unexpected type."),
            };
            if (tag == ImageWidthTag)
            {
                width = value;
            }
            else
            {
                height = value;
            }
        }

        return HeaderBytes.Info(ImageFormat.Tiff, width, height);
    }

    private static ushort U16(ReadOnlySpan<byte> data, long offset, bool little)
        => little ? HeaderBytes.UInt16LittleEndian(data, offset, Name) : HeaderBytes.UInt16BigEndian(data, offset, Name);

    private static uint U32(ReadOnlySpan<byte> data, long offset, bool little)
        => little ? HeaderBytes.UInt32LittleEndian(data, offset, Name) : HeaderBytes.UInt32BigEndian(data, offset, Name);

    private static ulong U64(ReadOnlySpan<byte> data, long offset, bool little)
        => little
            ? HeaderBytes.UInt32LittleEndian(data, offset, Name) | ((ulong)HeaderBytes.UInt32LittleEndian(data, offset + 4, Name) << 32)
            : HeaderBytes.UInt64BigEndian(data, offset, Name);
}
