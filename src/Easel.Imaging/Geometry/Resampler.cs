using Easel.Imaging.Geometry;

namespace Easel.Imaging;

/// <summary>Separable resizing with premultiplied alpha, so transparent pixels do not bleed their colour.</summary>
public static class Resampler
{
    /// <summary>Resizes an RGBA image.</summary>
    public static RgbaImage Resize(RgbaImage source, int width, int height, ResampleFilter filter = ResampleFilter.Lanczos3)
    {
        ArgumentNullException.ThrowIfNull(source);
        ImageLimits.ThrowIfInvalidSize(width, height);
        _ = ResampleKernel.Radius(filter);
        if (width == source.Width && height == source.Height)
        {
            return source.Clone();
        }

        var output = new RgbaImage(width, height);
        SeparableResampler.Run(source.Pixels, source.Width, source.Height, output.Pixels, width, height, 4, filter);
        return output;
    }

    /// <summary>Resizes a mask; values are treated as plain coverage.</summary>
    public static AlphaMask Resize(AlphaMask source, int width, int height, ResampleFilter filter = ResampleFilter.Bilinear)
    {
        ArgumentNullException.ThrowIfNull(source);
        ImageLimits.ThrowIfInvalidSize(width, height);
        _ = ResampleKernel.Radius(filter);
        if (width == source.Width && height == source.Height)
        {
            return new AlphaMask(width, height, (byte[])source.Values.Clone());
        }

        var output = new AlphaMask(width, height);
        SeparableResampler.Run(source.Values, source.Width, source.Height, output.Values, width, height, 1, filter);
        return output;
    }
}
