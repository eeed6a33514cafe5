using Easel.Imaging.Codecs.Png;

namespace Easel.Imaging.Codecs.Headers;

// Formats whose size sits at a fixed place near the start of the file.
internal static class SimpleHeaders
{
    // The signature, then IHDR, which the PNG specification requires to be the first chunk.
    public static ImageInfo Png(ReadOnlySpan<byte> data)
    {
        const string Name = "PNG";
        var length = HeaderBytes.UInt32BigEndian(data, 8, Name);
        var type = HeaderBytes.UInt32BigEndian(data, 12, Name);
        if (type != PngChunkType.Ihdr || length != 13)
        {
            throw new ImageDecodeException("The PNG data does not start with an IHDR chunk.");
        }

        var header = PngHeader.Parse(HeaderBytes.Slice(data, 16, 13, Name));
        return HeaderBytes.Info(ImageFormat.Png, header.Width, header.Height);
    }

    public static ImageInfo Gif(ReadOnlySpan<byte> data)
        => HeaderBytes.Info(ImageFormat.Gif, HeaderBytes.UInt16LittleEndian(data, 6, "GIF"), HeaderBytes.UInt16LittleEndian(data, 8, "GIF"));

    public static ImageInfo Bmp(ReadOnlySpan<byte> data)
    {
        var dibSize = HeaderBytes.UInt32LittleEndian(data, 14, "BMP");
        if (dibSize == 12)
        {
            return HeaderBytes.Info(ImageFormat.Bmp, HeaderBytes.UInt16LittleEndian(data, 18, "BMP"), HeaderBytes.UInt16LittleEndian(data, 20, "BMP"));
        }

        var width = (int)HeaderBytes.UInt32LittleEndian(data, 18, "BMP");
        var height = (int)HeaderBytes.UInt32LittleEndian(data, 22, "BMP");

        // A negative height means the rows are stored top-down.
        return HeaderBytes.Info(ImageFormat.Bmp, width, Math.Abs((long)height));
    }

    public static ImageInfo WebP(ReadOnlySpan<byte> data)
    {
        const string Name = "WebP";
        var chunk = HeaderBytes.Slice(data, 12, 4, Name);
        if (chunk.SequenceEqual("VP8 "u8))
        {
            // Lossy: a 3-byte frame tag, the start code 9D 01 2A, then 14-bit width and height.
            if (!HeaderBytes.Slice(data, 23, 3, Name).SequenceEqual((ReadOnlySpan<byte>)[0x9D, 0x01, 0x2A]))
            {
                throw new ImageDecodeException("The WebP lossy frame has no start code.");
            }

            return HeaderBytes.Info(ImageFormat.WebP, HeaderBytes.UInt16LittleEndian(data, 26, Name) & 0x3FFF, HeaderBytes.UInt16LittleEndian(data, 28, Name) & 0x3FFF);
        }

        if (chunk.SequenceEqual("VP8L"u8))
        {
            if (HeaderBytes.Byte(data, 20, Name) != 0x2F)
            {
                throw new ImageDecodeException("The WebP lossless stream has no signature byte.");
            }

            var bits = HeaderBytes.UInt32LittleEndian(data, 21, Name);
            return HeaderBytes.Info(ImageFormat.WebP, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1);
        }

        if (chunk.SequenceEqual("VP8X"u8))
        {
            var size = HeaderBytes.Slice(data, 24, 6, Name);
            return HeaderBytes.Info(ImageFormat.WebP, (size[0] | (size[1] << 8) | (size[2] << 16)) + 1, (size[3] | (size[4] << 8) | (size[5] << 16)) + 1);
        }

        throw new ImageDecodeException("The WebP data has an unknown first chunk.");
    }
}
