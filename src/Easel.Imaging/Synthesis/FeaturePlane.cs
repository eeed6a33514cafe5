namespace Easel.Imaging.Synthesis;

// Per-pixel patch features, eight floats per pixel so that one pixel is one Vector256:
// red, green, blue (0-255), the horizontal and vertical luma gradient (weighted, so an edge's direction
// counts as much as its colour and edges continue across a hole), alpha (down-weighted: it rarely varies),
// a constant 1 (so a weighted sum of feature vectors carries its total weight along) and a texture energy.
// The texture energy (Newson et al., "Video Inpainting of Complex Scenes", 2014) is the local mean gradient
// magnitude of the known image. Without it a textured target patch is closer to a smooth source than to
// another textured one (random texture never lines up, so two textures differ by both their gradients, a smooth
// patch by one), and the fill drifts to the blurred parts of a photo. Unlike the gradients it is not recomputed
// from the synthesised colours: inside the hole it is voted like a colour, so it stays what the copied patches
// had even where their average blurs, and coarse levels carry the full-resolution texture energy down.
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
    public const int Texture = 7;

    public const float AlphaWeight = 0.25f;
    public const float GradientWeight = 0.75f;

    // Half the side of the window the texture energy is averaged over (5x5: finer than a patch, so the patch
    // distance still sees where texture starts and stops).
    private const int TextureRadius = 2;

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

    // The texture channel of every pixel: `weight` times the mean |gradient| over the known pixels of its window
    // whose own gradient reads only known pixels (0 where there are none). Needs the gradients computed.
    public static void ComputeTexture(float[] features, byte[] unknown, int width, int height, float weight)
    {
        // Magnitudes of trusted gradients and a 1 where they are trusted, box-summed by running sums in x then y.
        var magnitude = new float[width * height];
        var trusted = new float[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = (y * width) + x;
                if (!KnownAround(unknown, width, height, x, y))
                {
                    continue;
                }

                var f = i * Channels;
                magnitude[i] = MathF.Abs(features[f + GradientX]) + MathF.Abs(features[f + GradientY]);
                trusted[i] = 1;
            }
        }

        BoxSum(magnitude, width, height, TextureRadius);
        BoxSum(trusted, width, height, TextureRadius);
        for (var i = 0; i < magnitude.Length; i++)
        {
            features[(i * Channels) + Texture] = trusted[i] > 0 ? weight * magnitude[i] / trusted[i] : 0;
        }
    }

    private static bool KnownAround(byte[] unknown, int width, int height, int x, int y)
    {
        for (var dy = -1; dy <= 1; dy++)
        {
            var yy = Math.Clamp(y + dy, 0, height - 1);
            for (var dx = -1; dx <= 1; dx++)
            {
                if (unknown[(yy * width) + Math.Clamp(x + dx, 0, width - 1)] != 0)
                {
                    return false;
                }
            }
        }

        return true;
    }

    // In place: each value becomes the sum over the (2r+1)^2 window around it, clipped at the borders.
    private static void BoxSum(float[] values, int width, int height, int r)
    {
        var line = new float[Math.Max(width, height) + 1];
        for (var y = 0; y < height; y++)
        {
            var row = y * width;
            line[0] = 0;
            for (var x = 0; x < width; x++)
            {
                line[x + 1] = line[x] + values[row + x];
            }

            for (var x = 0; x < width; x++)
            {
                values[row + x] = line[Math.Min(width, x + r + 1)] - line[Math.Max(0, x - r)];
            }
        }

        for (var x = 0; x < width; x++)
        {
            line[0] = 0;
            for (var y = 0; y < height; y++)
            {
                line[y + 1] = line[y] + values[(y * width) + x];
            }

            for (var y = 0; y < height; y++)
            {
                values[(y * width) + x] = line[Math.Min(height, y + r + 1)] - line[Math.Max(0, y - r)];
            }
        }
    }

    public static byte ToByte(float v) => (byte)Math.Clamp((int)(v + 0.5f), 0, 255);

    private static float Luma(float[] f, int o) => (0.299f * f[o + Red]) + (0.587f * f[o + Green]) + (0.114f * f[o + Blue]);
}
