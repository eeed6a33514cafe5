namespace Easel.Imaging.Codecs.Headers;

// AVIF and HEIC: ISO base media files whose brands name the codec.
internal static class IsoBmffHeader
{
    public static ImageFormat Sniff(ReadOnlySpan<byte> data)
    {
        if (data.Length < 16 || !data.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            return ImageFormat.Unknown;
        }

        var boxSize = (int)Math.Min(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data), (uint)data.Length);
        var major = Brand(data[8..12]);
        if (major != ImageFormat.Unknown)
        {
            return major;
        }

        // Generic HEIF files (mif1/msf1) declare the codec among the compatible brands, which follow the minor version.
        var generic = data[8..12].SequenceEqual("mif1"u8) || data[8..12].SequenceEqual("msf1"u8);
        for (var offset = 16; offset + 4 <= boxSize; offset += 4)
        {
            var brand = Brand(data.Slice(offset, 4));
            if (brand != ImageFormat.Unknown)
            {
                return brand;
            }

            generic |= data.Slice(offset, 4).SequenceEqual("mif1"u8);
        }

        return generic ? ImageFormat.Heic : ImageFormat.Unknown;
    }

    // The size of the primary item is in an `ispe` property. Thumbnails and grid tiles carry smaller
    // `ispe` boxes, so the largest one is the full image without walking the item references.
    public static ImageInfo Identify(ReadOnlySpan<byte> data, ImageFormat format)
    {
        long width = 0, height = 0;
        var offset = 0;
        while (true)
        {
            var found = data[offset..].IndexOf("ispe"u8);
            if (found < 0)
            {
                break;
            }

            var box = offset + found;
            // ispe: type, version/flags (4), width (4), height (4).
            if (box + 16 <= data.Length)
            {
                var w = HeaderBytes.UInt32BigEndian(data, box + 8, "HEIF");
                var h = HeaderBytes.UInt32BigEndian(data, box + 12, "HEIF");
                if ((long)w * h > width * height)
                {
                    (width, height) = (w, h);
                }
            }

            offset = box + 4;
        }

        if (width == 0)
        {
            throw new ImageDecodeException($"The {ImageCodec.DisplayName(format)} data has no image size property (ispe).");
        }

        return HeaderBytes.Info(format, width, height);
    }

    private static ImageFormat Brand(ReadOnlySpan<byte> brand)
    {
        if (brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8))
        {
            return ImageFormat.Avif;
        }

        return brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("heim"u8)
            || brand.SequenceEqual("heis"u8) || brand.SequenceEqual("hevc"u8) || brand.SequenceEqual("hevx"u8)
            ? ImageFormat.Heic
            : ImageFormat.Unknown;
    }
}
