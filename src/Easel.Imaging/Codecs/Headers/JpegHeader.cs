namespace Easel.Imaging.Codecs.Headers;

internal static class JpegHeader
{
    private const string Name = "JPEG";

    public static ImageInfo Identify(ReadOnlySpan<byte> data) => Info(ReadFrame(data));

    // Identify for a decode: the same walk also refuses by name, before libvips sees them, the processes its libjpeg
    // does not decode: lossless and hierarchical JPEG, and samples of other than 8 bits. Arithmetic coding (SOF9/SOF10)
    // it does decode.
    public static ImageInfo IdentifyDecodable(ReadOnlySpan<byte> data)
    {
        var frame = ReadFrame(data);
        string? variant = frame.Marker switch
        {
            0xC3 or 0xC7 or 0xCB or 0xCF => $"lossless JPEG (SOF{frame.Marker - 0xC0})",
            0xC5 or 0xC6 or 0xCD or 0xCE => $"hierarchical JPEG (SOF{frame.Marker - 0xC0})",
            _ when frame.Precision != 8 => $"{frame.Precision}-bit JPEG",
            _ => null,
        };
        if (variant is not null)
        {
            throw UnsupportedImageFormatException.ForFeature(ImageFormat.Jpeg, $"{variant} is not supported");
        }

        return Info(frame);
    }

    private static ImageInfo Info(Frame frame) => HeaderBytes.Info(ImageFormat.Jpeg, frame.Width, frame.Height);

    private readonly record struct Frame(byte Marker, int Precision, int Width, int Height);

    // Walks marker segments up to the first start-of-frame; its size is the image size.
    private static Frame ReadFrame(ReadOnlySpan<byte> data)
    {
        long offset = 2;
        while (true)
        {
            if (HeaderBytes.Byte(data, offset, Name) != 0xFF)
            {
                throw new ImageDecodeException("The JPEG data has a marker segment that does not start with 0xFF.");
            }

            // Any number of 0xFF fill bytes may precede a marker code.
            var marker = HeaderBytes.Byte(data, offset + 1, Name);
            while (marker == 0xFF)
            {
                offset++;
                marker = HeaderBytes.Byte(data, offset + 1, Name);
            }

            offset += 2;
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                continue;
            }

            if (marker is 0xD9 or 0xDA)
            {
                throw new ImageDecodeException("The JPEG data has no frame header before its scan data.");
            }

            var length = HeaderBytes.UInt16BigEndian(data, offset, Name);
            if (length < 2)
            {
                throw new ImageDecodeException("The JPEG data has a marker segment with an invalid length.");
            }

            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                var precision = HeaderBytes.Byte(data, offset + 2, Name);
                var height = HeaderBytes.UInt16BigEndian(data, offset + 3, Name);
                var width = HeaderBytes.UInt16BigEndian(data, offset + 5, Name);
                return new Frame(marker, precision, width, height);
            }

            offset += length;
        }
    }
}
