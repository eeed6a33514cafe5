using System.Buffers.Binary;

namespace Easel.Imaging.Codecs.Jpeg;

// The EXIF Orientation tag (0x0112) of IFD0 and the transform that makes the image upright. A malformed EXIF block
// is ignored, as browsers do: it is metadata and must not make an otherwise valid photo undecodable.
internal static class ExifOrientation
{
    public static int Read(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8)
        {
            return 1;
        }

        bool little;
        if (tiff.StartsWith("II*\0"u8))
        {
            little = true;
        }
        else if (tiff.StartsWith("MM\0*"u8))
        {
            little = false;
        }
        else
        {
            return 1;
        }

        var ifd = U32(tiff[4..], little);
        if (ifd > (uint)(tiff.Length - 2))
        {
            return 1;
        }

        var entries = U16(tiff[(int)ifd..], little);
        for (var i = 0; i < entries; i++)
        {
            var offset = (long)ifd + 2 + (12L * i);
            if (offset + 12 > tiff.Length)
            {
                return 1;
            }

            var entry = tiff.Slice((int)offset, 12);
            if (U16(entry, little) == 0x0112)
            {
                // Type SHORT (3), count 1: the value sits in the first two bytes of the value field.
                var value = U16(entry[8..], little);
                return U16(entry[2..], little) == 3 && value is >= 1 and <= 8 ? value : 1;
            }
        }

        return 1;
    }

    public static RgbaImage Apply(RgbaImage image, int orientation)
    {
        if (orientation is < 2 or > 8)
        {
            return image;
        }

        var w = image.Width;
        var h = image.Height;
        var swap = orientation >= 5;
        var result = swap ? new RgbaImage(h, w) : new RgbaImage(w, h);
        var source = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(image.Pixels.AsSpan());
        var target = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(result.Pixels.AsSpan());
        var outWidth = result.Width;
        var outHeight = result.Height;
        for (var y = 0; y < outHeight; y++)
        {
            var row = target.Slice(y * outWidth, outWidth);
            for (var x = 0; x < outWidth; x++)
            {
                // Where output pixel (x, y) comes from in the stored image (EXIF 2.3, tag 274).
                var (sx, sy) = orientation switch
                {
                    2 => (w - 1 - x, y),
                    3 => (w - 1 - x, h - 1 - y),
                    4 => (x, h - 1 - y),
                    5 => (y, x),
                    6 => (y, h - 1 - x),
                    7 => (w - 1 - y, h - 1 - x),
                    _ => (w - 1 - y, x),
                };
                row[x] = source[(sy * w) + sx];
            }
        }

        return result;
    }

    private static ushort U16(ReadOnlySpan<byte> data, bool little)
        => little ? BinaryPrimitives.ReadUInt16LittleEndian(data) : BinaryPrimitives.ReadUInt16BigEndian(data);

    private static uint U32(ReadOnlySpan<byte> data, bool little)
        => little ? BinaryPrimitives.ReadUInt32LittleEndian(data) : BinaryPrimitives.ReadUInt32BigEndian(data);
}
