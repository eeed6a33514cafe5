namespace Easel.Imaging;

/// <summary>A soft single-channel mask: 0 = keep, 255 = repaint (hole), values between are partial coverage.</summary>
public sealed class AlphaMask
{
    /// <summary>Creates an all-zero mask.</summary>
    public AlphaMask(int width, int height)
    {
        ImageLimits.ThrowIfInvalidSize(width, height);
        Width = width;
        Height = height;
        Values = new byte[width * height];
    }

    /// <summary>Wraps <paramref name="values"/> without copying.</summary>
    public AlphaMask(int width, int height, byte[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        ImageLimits.ThrowIfInvalidSize(width, height);
        if (values.Length != width * height)
        {
            throw new ArgumentException($"Expected {width * height} values for a {width}x{height} mask, got {values.Length}.", nameof(values));
        }

        Width = width;
        Height = height;
        Values = values;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>One byte per pixel, row-major.</summary>
    public byte[] Values { get; }

    /// <summary>True when every value is zero.</summary>
    public bool IsEmpty() => Values.AsSpan().IndexOfAnyExcept((byte)0) < 0;

    /// <summary>Per-pixel maximum with a mask of the same size.</summary>
    public void UnionWith(AlphaMask other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Width != Width || other.Height != Height)
        {
            throw new ArgumentException($"Mask is {other.Width}x{other.Height}, expected {Width}x{Height}.", nameof(other));
        }

        var mine = Values;
        var theirs = other.Values;
        for (var i = 0; i < mine.Length; i++)
        {
            if (theirs[i] > mine[i])
            {
                mine[i] = theirs[i];
            }
        }
    }

    /// <summary>Rec.709 luma of each pixel, weighted by its alpha (transparent pixels become 0).</summary>
    public static AlphaMask FromLuminance(RgbaImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var mask = new AlphaMask(image.Width, image.Height);
        var px = image.Pixels;
        var values = mask.Values;
        for (var i = 0; i < values.Length; i++)
        {
            var p = i * 4;
            // Rec.709 coefficients scaled to sum to 2^16, so white stays exactly 255.
            var luma = ((px[p] * 13933) + (px[p + 1] * 46871) + (px[p + 2] * 4732) + 32768) >> 16;
            values[i] = (byte)(((luma * px[p + 3]) + 127) / 255);
        }

        return mask;
    }
}
