using System.Buffers.Binary;

namespace Easel.Imaging.Codecs.Headers;

// Bounds-checked reads for header parsers: a short header is a decode error, never an IndexOutOfRangeException.
internal static class HeaderBytes
{
    public static ushort UInt16BigEndian(ReadOnlySpan<byte> data, long offset, string format)
        => BinaryPrimitives.ReadUInt16BigEndian(Slice(data, offset, 2, format));

    public static ushort UInt16LittleEndian(ReadOnlySpan<byte> data, long offset, string format)
        => BinaryPrimitives.ReadUInt16LittleEndian(Slice(data, offset, 2, format));

    public static uint UInt32BigEndian(ReadOnlySpan<byte> data, long offset, string format)
        => BinaryPrimitives.ReadUInt32BigEndian(Slice(data, offset, 4, format));

    public static uint UInt32LittleEndian(ReadOnlySpan<byte> data, long offset, string format)
        => BinaryPrimitives.ReadUInt32LittleEndian(Slice(data, offset, 4, format));

    public static ulong UInt64BigEndian(ReadOnlySpan<byte> data, long offset, string format)
        => BinaryPrimitives.ReadUInt64BigEndian(Slice(data, offset, 8, format));

    public static byte Byte(ReadOnlySpan<byte> data, long offset, string format) => Slice(data, offset, 1, format)[0];

    public static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> data, long offset, int length, string format)
    {
        if (offset < 0 || offset > data.Length - length)
        {
            throw new ImageDecodeException($"The {format} header is truncated.");
        }

        return data.Slice((int)offset, length);
    }

    public static ImageInfo Info(ImageFormat format, long width, long height)
    {
        if (width < 1 || height < 1 || width > int.MaxValue || height > int.MaxValue)
        {
            throw new ImageDecodeException($"The {ImageCodec.DisplayName(format)} header declares an invalid size {width}x{height}.");
        }

        return new ImageInfo(format, (int)width, (int)height);
    }
}
