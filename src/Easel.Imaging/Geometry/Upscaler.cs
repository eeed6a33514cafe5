using Easel.Imaging.Geometry;

namespace Easel.Imaging;

/// <summary>
/// Enlarges images by 2x or 4x with more detail than plain Lanczos-3: iterative back-projection over a Lanczos-3
/// start, so the result scaled back down reproduces the source, and a range clamp against ringing.
/// </summary>
public static class Upscaler
{
    /// <summary>Upscales straight RGBA by <paramref name="factor"/> (2, or 4 as two 2x passes); deterministic.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The factor is not 2 or 4, or the result would exceed
    /// <see cref="ImageLimits.MaxPixels"/> or 65,535 pixels a side (checked before anything is allocated).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled (checked between passes and row bands).</exception>
    public static RgbaImage Upscale(RgbaImage source, int factor, CancellationToken cancellationToken)
        => Upscale(source, factor, UpscaleOptions.Default, cancellationToken);

    internal static RgbaImage Upscale(RgbaImage source, int factor, UpscaleOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        if (factor is not (2 or 4))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The upscale factor must be 2 or 4.");
        }

        var width = (long)source.Width * factor;
        var height = (long)source.Height * factor;
        if (width > ImageLimits.MaxDimension || height > ImageLimits.MaxDimension || width * height > ImageLimits.MaxPixels)
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor,
                $"{source.Width}x{source.Height} upscaled {factor}x would be {width}x{height}, over the limit of {ImageLimits.MaxPixels} pixels and {ImageLimits.MaxDimension} a side.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var opaque = UpscalePlanes.IsOpaque(source.Pixels);
        var output = new RgbaImage((int)width, (int)height);
        float[]? alpha = null;
        if (opaque)
        {
            output.Pixels.AsSpan().Fill(255);
        }
        else
        {
            alpha = Enlarge(UpscalePlanes.Extract(source.Pixels, 3, premultiply: false), source.Width, source.Height, factor, options, cancellationToken);
            UpscalePlanes.StoreAlpha(alpha, output.Pixels);
        }

        for (var channel = 0; channel < 3; channel++)
        {
            var plane = Enlarge(UpscalePlanes.Extract(source.Pixels, channel, premultiply: !opaque), source.Width, source.Height, factor, options, cancellationToken);
            UpscalePlanes.StoreColour(plane, alpha, channel, output.Pixels);
        }

        return output;
    }

    // One channel at a time keeps the float working set to a few planes of the output's size.
    private static float[] Enlarge(float[] plane, int w, int h, int factor, UpscaleOptions options, CancellationToken cancellationToken)
    {
        for (var scale = 1; scale < factor; scale *= 2)
        {
            plane = BackProjection.Upscale(plane, w, h, options, cancellationToken);
            w *= 2;
            h *= 2;
        }

        return plane;
    }
}
