namespace Easel.Imaging;

/// <summary>Bounds that every decoder and pixel buffer in Easel respects.</summary>
public static class ImageLimits
{
    /// <summary>The largest pixel count a buffer may hold (160 MB of RGBA).</summary>
    public const long MaxPixels = 40_000_000;

    // No format we identify can express more than 16 bits per side except TIFF/PNG, and a longer side
    // is always a hostile or broken header; it also keeps row byte counts far from int overflow.
    internal const int MaxDimension = 65_535;

    internal static void ThrowIfInvalidSize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if ((long)width * height > MaxPixels)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height} exceeds {MaxPixels} pixels.");
        }
    }
}
