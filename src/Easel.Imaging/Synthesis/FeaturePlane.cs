namespace Easel.Imaging.Synthesis;

// Per-pixel patch features, eight floats per pixel so that one pixel is one Vector256:
// red, green, blue (0-255), the horizontal and vertical luma gradient (weighted, so an edge's direction
// counts as much as its colour and edges continue across a hole), alpha (down-weighted: it rarely varies)
// a constant 1 (so a weighted sum of feature vectors carries its total weight along) and a zero of padding.
internal static class FeaturePlane
{
    public const int Channels = 8;
    public const int Red = 0;
    public const int Green = 1;
    public const int Blue = 2;
    public const int GradientX = 3;
    public const int GradientY = 4;
    public const int Alpha = 5;
    public const int One = 6;

    public const float AlphaWeight = 0.25f;
    public const float GradientWeight = 0.75f;

    public static float[] FromImage(RgbaImage image)
    {
        var pixels = image.Pixels;
        var features = new float[image.Width * image.Height * Channels];
        for (var i = 0; i < image.Width * image.Height; i++)
        {
            var p = i * 4;
            var f = i * Channels;
            features[f + Red] = pixels[p];
            features[f + Green] = pixels[p + 1];
            features[f + Blue] = pixels[p + 2];
            features[f + Alpha] = pixels[p + 3] * AlphaWeight;
            features[f + One] = 1;
        }

        return features;
    }

    public static void ComputeAllGradients(float[] features, int width, int height)
    {
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                Gradient(features, width, height, x, y);
            }
        }
    }

    // The gradients of the listed pixels and their four neighbours (whose central differences read them).
    public static void ComputeGradients(float[] features, int width, int height, int[] pixels)
    {
        foreach (var i in pixels)
        {
            int x = i % width, y = i / width;
            Gradient(features, width, height, x, y);
        }
    }

    public static void Gradient(float[] features, int width, int height, int x, int y)
    {
        var xl = x > 0 ? x - 1 : x;
        var xr = x < width - 1 ? x + 1 : x;
        var yu = y > 0 ? y - 1 : y;
        var yd = y < height - 1 ? y + 1 : y;
        var row = y * width;
        var gx = Luma(features, (row + xr) * Channels) - Luma(features, (row + xl) * Channels);
        var gy = Luma(features, ((yd * width) + x) * Channels) - Luma(features, ((yu * width) + x) * Channels);
        var f = (row + x) * Channels;
        features[f + GradientX] = gx * GradientWeight / Math.Max(1, xr - xl);
        features[f + GradientY] = gy * GradientWeight / Math.Max(1, yd - yu);
    }

    public static byte ToByte(float v) => (byte)Math.Clamp((int)(v + 0.5f), 0, 255);

    private static float Luma(float[] f, int o) => (0.299f * f[o + Red]) + (0.587f * f[o + Green]) + (0.114f * f[o + Blue]);
}
