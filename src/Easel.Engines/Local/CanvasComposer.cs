using Easel.Core.Operations;
using Easel.Imaging;

namespace Easel.Engines.Local;

/// <summary>Upload-paint and edit: the source scaled and placed on the canvas; what it leaves uncovered is a hole.</summary>
internal static class CanvasComposer
{
    public static (RgbaImage Canvas, AlphaMask Hole) Compose(RgbaImage source, CanvasSize canvasSize, Placement placement)
    {
        var canvas = new RgbaImage(canvasSize.Width, canvasSize.Height);
        var scaled = source.Width == placement.Width && source.Height == placement.Height
            ? source
            : Resampler.Resize(source, placement.Width, placement.Height);
        Compositor.DrawImage(canvas, scaled, placement.X, placement.Y);

        // Uncovered and see-through pixels are to be painted: the hole is the inverse of the placed alpha.
        var hole = new AlphaMask(canvas.Width, canvas.Height);
        var pixels = canvas.Pixels;
        var values = hole.Values;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (byte)(255 - pixels[(i * 4) + 3]);
        }
        return (canvas, hole);
    }
}
