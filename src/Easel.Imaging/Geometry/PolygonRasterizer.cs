using Easel.Imaging.Geometry;

namespace Easel.Imaging;

/// <summary>Draws filled polygons into a mask with anti-aliased coverage.</summary>
public static class PolygonRasterizer
{
    /// <summary>
    /// Fills the polygon (x1, y1, x2, y2, ...; implicitly closed) under the non-zero winding rule and
    /// raises each pixel to at least its coverage. Pixel centres are at +0.5; everything outside the mask is clipped.
    /// Fewer than three vertices or zero area draw nothing.
    /// </summary>
    /// <exception cref="ArgumentException">An odd number of coordinates, or a NaN or infinite coordinate.</exception>
    public static void Fill(AlphaMask target, ReadOnlySpan<float> xyPairs)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (xyPairs.Length % 2 != 0)
        {
            throw new ArgumentException("Polygon coordinates must come in x, y pairs.", nameof(xyPairs));
        }

        foreach (var v in xyPairs)
        {
            if (!float.IsFinite(v))
            {
                throw new ArgumentException("Polygon coordinates must be finite numbers.", nameof(xyPairs));
            }
        }

        if (xyPairs.Length < 6)
        {
            return;
        }

        new ScanlineCoverage(target.Width, target.Height).Fill(target.Values, xyPairs);
    }
}
