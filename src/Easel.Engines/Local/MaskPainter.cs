using Easel.Core.Operations;
using Easel.Imaging;

namespace Easel.Engines.Local;

/// <summary>Turns a mask of the request into coverage over a target of a given size (API.md section 6).</summary>
internal static class MaskPainter
{
    public static AlphaMask Paint(MaskSpec spec, ReadOnlyMemory<byte>? maskImage, int width, int height) => spec switch
    {
        PolygonMask polygons => Polygons(polygons, width, height),
        ImageMask => Image(maskImage ?? throw new InvalidOperationException("mask image was not loaded"), width, height),
        _ => throw new ArgumentOutOfRangeException(nameof(spec)),
    };

    // Each area's points are drawn in its own frame and scale onto the target; areas are united.
    private static AlphaMask Polygons(PolygonMask polygons, int width, int height)
    {
        var mask = new AlphaMask(width, height);
        foreach (var area in polygons.Areas)
        {
            var sx = (float)width / area.Width;
            var sy = (float)height / area.Height;
            var points = new float[area.Points.Length];
            for (var i = 0; i < points.Length; i += 2)
            {
                points[i] = area.Points[i] * sx;
                points[i + 1] = area.Points[i + 1] * sy;
            }
            PolygonRasterizer.Fill(mask, points);
        }
        return mask;
    }

    // White repaints, black keeps; the luminance, scaled to the target, is a soft mask.
    private static AlphaMask Image(ReadOnlyMemory<byte> bytes, int width, int height)
    {
        var decoded = LocalEngine.Decode(bytes, "mask image");
        var luminance = AlphaMask.FromLuminance(decoded);
        return luminance.Width == width && luminance.Height == height
            ? luminance
            : Resampler.Resize(luminance, width, height);
    }
}
