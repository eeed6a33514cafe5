using Easel.Imaging.Codecs.Headers;
using Easel.Imaging.Codecs.Png;
using Easel.Imaging.Codecs.Vips;

namespace Easel.Imaging;

/// <summary>Recognises, inspects, decodes and encodes image files.</summary>
public static class ImageCodec
{
    internal const string SupportedFormats = "PNG, JPEG, WebP, GIF, AVIF, TIFF";

    /// <summary>The format named by the leading signature, or <see cref="ImageFormat.Unknown"/>.</summary>
    public static ImageFormat Sniff(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith(PngHeader.Signature))
        {
            return ImageFormat.Png;
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return ImageFormat.Jpeg;
        }

        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            return ImageFormat.Gif;
        }

        if (data.Length >= 16 && data.StartsWith("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            return ImageFormat.WebP;
        }

        if (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8) || data.StartsWith("II+\0"u8) || data.StartsWith("MM\0+"u8))
        {
            return ImageFormat.Tiff;
        }

        // "BM" alone is two ASCII letters; the DIB header size makes text files starting with "BM" unlikely matches.
        if (data.Length >= 26 && data.StartsWith("BM"u8)
            && System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data[14..]) is 12 or 40 or 52 or 56 or 64 or 108 or 124)
        {
            return ImageFormat.Bmp;
        }

        // JPEG XL: a bare codestream, or the ISO-BMFF-like container whose first box is "JXL ".
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x0A]) || data.StartsWith((ReadOnlySpan<byte>)[0, 0, 0, 0x0C, (byte)'J', (byte)'X', (byte)'L', (byte)' ', 0x0D, 0x0A, 0x87, 0x0A]))
        {
            return ImageFormat.JpegXl;
        }

        return IsoBmffHeader.Sniff(data);
    }

    /// <summary>Reads the format and size from the header without decoding pixels.</summary>
    /// <exception cref="ImageDecodeException">The data is not a recognisable image or its header is malformed.</exception>
    public static ImageInfo Identify(ReadOnlySpan<byte> data)
    {
        var format = Sniff(data);
        switch (format)
        {
            case ImageFormat.Png:
                return SimpleHeaders.Png(data);
            case ImageFormat.Jpeg:
                return JpegHeader.Identify(data);
            case ImageFormat.Gif:
                return SimpleHeaders.Gif(data);
            case ImageFormat.WebP:
                return SimpleHeaders.WebP(data);
            case ImageFormat.Bmp:
                return SimpleHeaders.Bmp(data);
            case ImageFormat.Tiff:
                return TiffHeader.Identify(data);
            case ImageFormat.Avif or ImageFormat.Heic:
                return IsoBmffHeader.Identify(data, format);
            case ImageFormat.JpegXl:
                throw new UnsupportedImageFormatException(format, "reading");
            default:
                throw NotAnImage();
        }
    }

    /// <summary>
    /// Decodes PNG, JPEG, WebP, GIF, AVIF or TIFF (the first frame of an animation or the first page) to straight sRGB
    /// RGBA, 8 bits: profiles converted to sRGB, 16-bit samples rounded to 8, EXIF orientation applied. The size is
    /// checked against <paramref name="maxPixels"/> twice before any pixel is decoded: from Easel's own reading of the
    /// header, before libvips sees the bytes, then from libvips' loader, which is what allocates.
    /// </summary>
    /// <exception cref="ImageDecodeException">Malformed data; <see cref="UnsupportedImageFormatException"/> for a known format that cannot be decoded; <see cref="ImageTooLargeException"/> for too many pixels.</exception>
    public static RgbaImage Decode(ReadOnlySpan<byte> data, long maxPixels = ImageLimits.MaxPixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPixels, 1);
        maxPixels = Math.Min(maxPixels, ImageLimits.MaxPixels);
        var format = Sniff(data);
        if (format == ImageFormat.Unknown)
        {
            throw NotAnImage();
        }

        // Recognised but without a decoder (HEIC, JPEG XL, BMP): refused by name before libvips sees the bytes.
        if (!ImageFileTypes.Decodable.Contains(format))
        {
            throw new UnsupportedImageFormatException(format);
        }

        var info = format == ImageFormat.Jpeg ? JpegHeader.IdentifyDecodable(data) : Identify(data);
        ThrowIfTooLarge(info.Width, info.Height, maxPixels);
        return VipsDecoder.Decode(data, format, maxPixels);
    }

    /// <summary>Encodes as an 8-bit RGBA PNG.</summary>
    /// <param name="image">The pixels.</param>
    /// <param name="compressionLevel">0 (store) to 9 (smallest), mapped onto the levels of <see cref="System.IO.Compression.ZLibStream"/>.</param>
    public static byte[] EncodePng(RgbaImage image, int compressionLevel = 6)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegative(compressionLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(compressionLevel, 9);
        return PngEncoder.Encode(image, compressionLevel);
    }

    /// <summary>Encodes as a baseline JPEG (JFIF, YCbCr). JPEG has no alpha channel: alpha is dropped, so flatten transparent images first.</summary>
    /// <param name="image">The pixels.</param>
    /// <param name="quality">1 (smallest) to 100 (best), scaling the standard tables as libjpeg's <c>-quality</c> does.</param>
    /// <param name="subsampling">Chroma resolution.</param>
    public static byte[] EncodeJpeg(RgbaImage image, int quality = 90, JpegSubsampling subsampling = JpegSubsampling.Yuv420)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        if (image.Width > ushort.MaxValue || image.Height > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(image), "JPEG cannot hold an image wider or taller than 65535 pixels.");
        }

        if (!Enum.IsDefined(subsampling))
        {
            throw new ArgumentOutOfRangeException(nameof(subsampling), subsampling, "Unknown chroma subsampling.");
        }

        return VipsEncoder.Jpeg(image, quality, subsampling);
    }

    /// <summary>Encodes as WebP: lossy (VP8, with a lossy alpha plane when the image is not opaque) or lossless (VP8L).</summary>
    /// <param name="image">The pixels.</param>
    /// <param name="quality">1 (smallest) to 100 (best): libwebp's quality factor; for lossless, how hard it compresses.</param>
    /// <param name="lossless">Exact pixels instead of a lossy approximation.</param>
    /// <param name="effort">0 (fastest) to 6 (smallest): libwebp's method.</param>
    public static byte[] EncodeWebP(RgbaImage image, int quality = 90, bool lossless = false, int effort = 4)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        ArgumentOutOfRangeException.ThrowIfNegative(effort);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(effort, 6);
        if (image.Width > 16383 || image.Height > 16383)
        {
            throw new ArgumentOutOfRangeException(nameof(image), "WebP cannot hold an image wider or taller than 16383 pixels.");
        }

        return VipsEncoder.WebP(image, quality, lossless, effort);
    }

    internal static string DisplayName(ImageFormat format) => format switch
    {
        ImageFormat.Png => "PNG",
        ImageFormat.Jpeg => "JPEG",
        ImageFormat.WebP => "WebP",
        ImageFormat.Gif => "GIF",
        ImageFormat.Avif => "AVIF",
        ImageFormat.Heic => "HEIC",
        ImageFormat.Bmp => "BMP",
        ImageFormat.Tiff => "TIFF",
        ImageFormat.JpegXl => "JPEG XL",
        _ => "Unknown format",
    };

    internal static void ThrowIfTooLarge(long width, long height, long maxPixels)
    {
        if (width > ImageLimits.MaxDimension || height > ImageLimits.MaxDimension || width * height > maxPixels)
        {
            throw new ImageTooLargeException(width, height, maxPixels);
        }
    }

    private static ImageDecodeException NotAnImage()
        => new($"The data is not an image: no known signature. Supported formats: {SupportedFormats}.");
}
