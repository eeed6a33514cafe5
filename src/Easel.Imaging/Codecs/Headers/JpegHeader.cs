namespace Easel.Imaging.Codecs.Headers;

internal static class JpegHeader
{
    private const string Name = "JPEG";

    // Walks marker segments up to the first start-of-frame; its size is the image size.
    public static ImageInfo Identify(ReadOnlySpan<byte> data)
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
                var height = HeaderBytes.UInt16BigEndian(data, offset + 3, Name);
                var width = HeaderBytes.UInt16BigEndian(data, offset + 5, Name);
                return HeaderBytes.Info(ImageFormat.Jpeg, width, height);
            }

            offset += length;
        }
    }
}
