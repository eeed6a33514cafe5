namespace Easel.Imaging;

/// <summary>Container formats Easel can recognise by signature.</summary>
public enum ImageFormat
{
    /// <summary>No known signature.</summary>
    Unknown,
    /// <summary>Portable Network Graphics.</summary>
    Png,
    /// <summary>JPEG / JFIF / Exif.</summary>
    Jpeg,
    /// <summary>WebP (RIFF container).</summary>
    WebP,
    /// <summary>GIF 87a / 89a.</summary>
    Gif,
    /// <summary>AVIF (ISO-BMFF with an AV1 brand).</summary>
    Avif,
    /// <summary>HEIC / HEIF (ISO-BMFF with an HEVC or generic HEIF brand).</summary>
    Heic,
    /// <summary>Windows bitmap.</summary>
    Bmp,
    /// <summary>TIFF, classic or BigTIFF.</summary>
    Tiff,
    /// <summary>JPEG XL (bare codestream or container).</summary>
    JpegXl,
}

/// <summary>What a header says about an image, without decoding its pixels.</summary>
public readonly record struct ImageInfo(ImageFormat Format, int Width, int Height);
