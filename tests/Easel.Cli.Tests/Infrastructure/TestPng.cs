using Easel.Imaging;

namespace Easel.Cli.Tests.Infrastructure;

/// <summary>Test images for the command line's tests.</summary>
public static class TestPng
{
    /// <summary>An opaque image with structure in every direction, as a PNG.</summary>
    public static byte[] PatternPng(int width, int height)
    {
        var image = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < width; x++)
            {
                row[x * 4] = (byte)(x * 255 / Math.Max(1, width - 1));
                row[(x * 4) + 1] = (byte)(y * 255 / Math.Max(1, height - 1));
                row[(x * 4) + 2] = (byte)(((x / 8) + (y / 8)) % 2 == 0 ? 200 : 60);
                row[(x * 4) + 3] = 255;
            }
        }
        return ImageCodec.EncodePng(image, 1);
    }
}
