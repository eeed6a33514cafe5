using Easel.Imaging;

namespace Easel.Server.Tests.Infrastructure;

public static class Pixels
{
    /// <summary>Mean absolute difference per channel (RGB) over the whole image.</summary>
    public static double MeanAbsoluteDifference(RgbaImage a, RgbaImage b)
    {
        Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
        long sum = 0;
        for (var i = 0; i < a.Pixels.Length; i += 4)
        {
            sum += Math.Abs(a.Pixels[i] - b.Pixels[i]) + Math.Abs(a.Pixels[i + 1] - b.Pixels[i + 1]) + Math.Abs(a.Pixels[i + 2] - b.Pixels[i + 2]);
        }
        return sum / (a.Pixels.Length / 4 * 3.0);
    }

    public static (byte R, byte G, byte B, byte A) At(RgbaImage image, int x, int y)
    {
        var o = ((y * image.Width) + x) * 4;
        return (image.Pixels[o], image.Pixels[o + 1], image.Pixels[o + 2], image.Pixels[o + 3]);
    }
}
