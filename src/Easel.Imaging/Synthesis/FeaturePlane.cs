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

    public static void ComputeAllGradients(float[] features, int width, int height) =>
        ComputeGradients(features, width, height, 0, 0, width - 1, height - 1);

    // Gradients of the pixels in the box [x0, x1] x [y0, y1], from a rolling window of three luma rows (central
    // differences inside the image, one-sided at its border).
    public static void ComputeGradients(float[] features, int width, int height, int x0, int y0, int x1, int y1)
    {
        var above = new float[width];
        var current = new float[width];
        var below = new float[width];
        LumaRow(features, width, Math.Max(0, y0 - 1), x0, x1, above);
        LumaRow(features, width, y0, x0, x1, current);
        for (var y = y0; y <= y1; y++)
        {
            LumaRow(features, width, Math.Min(height - 1, y + 1), x0, x1, below);
            var up = y > 0 ? above : current;
            var down = y < height - 1 ? below : current;
            var span = (y > 0 ? 1 : 0) + (y < height - 1 ? 1 : 0);
            var vertical = span == 0 ? 0 : GradientWeight / span;
            var row = y * width;
            for (var x = x0; x <= x1; x++)
            {
                var f = (row + x) * Channels;
                float gx;
                if (x > 0 && x < width - 1)
                {
                    gx = (Luma(features, f + Channels) - Luma(features, f - Channels)) * (0.5f * GradientWeight);
                }
                else
                {
                    var xl = x > 0 ? x - 1 : x;
                    var xr = x < width - 1 ? x + 1 : x;
                    gx = xr == xl ? 0 : (Luma(features, (row + xr) * Channels) - Luma(features, (row + xl) * Channels)) * GradientWeight / (xr - xl);
                }

                features[f + GradientX] = gx;
                features[f + GradientY] = (down[x] - up[x]) * vertical;
            }

            (above, current, below) = (current, below, above);
        }
    }

    private static void LumaRow(float[] features, int width, int y, int x0, int x1, float[] into)
    {
        var o = ((y * width) + x0) * Channels;
        for (var x = x0; x <= x1; x++, o += Channels)
        {
            into[x] = Luma(features, o);
        }
    }

    public static byte ToByte(float v) => (byte)Math.Clamp((int)(v + 0.5f), 0, 255);

    private static float Luma(float[] f, int o) => (0.299f * f[o + Red]) + (0.587f * f[o + Green]) + (0.114f * f[o + Blue]);
}
