using Easel.Imaging;

namespace Easel.Server.Tests.Infrastructure;

public static class TestImages
{
    /// <summary>An opaque image with structure in every direction: gradients and a checker of 8-pixel cells.</summary>
    public static RgbaImage Pattern(int width, int height)
    {
        var image = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < width; x++)
            {
                var checker = ((x / 8) + (y / 8)) % 2 == 0 ? 40 : 0;
                row[x * 4] = (byte)Math.Min(255, (x * 255 / Math.Max(1, width - 1)) + checker);
                row[(x * 4) + 1] = (byte)Math.Min(255, (y * 255 / Math.Max(1, height - 1)) + checker);
                row[(x * 4) + 2] = (byte)(128 + checker);
                row[(x * 4) + 3] = 255;
            }
        }
        return image;
    }

    public static byte[] PatternPng(int width, int height) => ImageCodec.EncodePng(Pattern(width, height), 1);

    public static RgbaImage Decode(byte[] png) => ImageCodec.Decode(png);
}
