namespace Easel.Imaging;

/// <summary>Straight (non-premultiplied) RGBA, 8 bits per channel, row-major, stride = Width * 4.</summary>
public sealed class RgbaImage
{
    /// <summary>Creates a transparent black image.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A side is below 1 or the area exceeds <see cref="ImageLimits.MaxPixels"/>.</exception>
    public RgbaImage(int width, int height)
    {
        ImageLimits.ThrowIfInvalidSize(width, height);
        Width = width;
        Height = height;
        Pixels = new byte[width * height * 4];
    }

    /// <summary>Wraps <paramref name="pixels"/> without copying; the image takes ownership of the array.</summary>
    public RgbaImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ImageLimits.ThrowIfInvalidSize(width, height);
        if (pixels.Length != width * height * 4)
        {
            throw new ArgumentException($"Expected {width * height * 4} bytes for {width}x{height} RGBA, got {pixels.Length}.", nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The RGBA bytes, row-major.</summary>
    public byte[] Pixels { get; }

    /// <summary>The bytes of row <paramref name="y"/>.</summary>
    public Span<byte> Row(int y)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(y, Height);
        return Pixels.AsSpan(y * Width * 4, Width * 4);
    }

    /// <summary>A deep copy.</summary>
    public RgbaImage Clone() => new(Width, Height, (byte[])Pixels.Clone());
}
