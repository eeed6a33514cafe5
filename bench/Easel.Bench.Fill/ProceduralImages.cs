using Easel.Imaging;

namespace Easel.Bench.Fill;

// Test images made by code, so the harness needs no data that is not ours: periodic structure (bricks,
// stripes), pure texture (noise), smooth tone (gradients) and natural-looking fractal scenes.
internal static class ProceduralImages
{
    public static IReadOnlyList<(string Name, RgbaImage Image)> All(int size) =>
    [
        ("bricks", Bricks(size, size, 1)),
        ("stripes", Stripes(size, size)),
        ("noise", Noise(size, size, 3)),
        ("gradient", Gradient(size, size)),
        ("landscape", Landscape(size, size, 5)),
        ("marble", Marble(size, size, 6)),
    ];

    public static RgbaImage Bricks(int width, int height, int seed)
    {
        var image = new RgbaImage(width, height);
        const int brickW = 40, brickH = 18, mortar = 3;
        for (var y = 0; y < height; y++)
        {
            var course = y / brickH;
            for (var x = 0; x < width; x++)
            {
                var shifted = x + (course % 2 == 1 ? brickW / 2 : 0);
                var brick = shifted / brickW;
                var inMortar = y % brickH < mortar || shifted % brickW < mortar;
                var grain = Fbm(x * 0.35f, y * 0.35f, seed, 3) * 30;
                var tone = Hash(brick * 7919, course, seed) * 40 - 20;
                Set(image, x, y, inMortar
                    ? (200 + grain, 195 + grain, 185 + grain)
                    : (150 + tone + grain, 60 + (tone * 0.5f) + grain, 40 + grain));
            }
        }

        return image;
    }

    public static RgbaImage Stripes(int width, int height)
    {
        var image = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var phase = (x + (0.5f * y)) / 16f * MathF.PI * 2;
                var v = MathF.Sin(phase);
                Set(image, x, y, (128 + (100 * v), 100 + (60 * v), 160 - (80 * v)));
            }
        }

        return image;
    }

    public static RgbaImage Noise(int width, int height, int seed)
    {
        var image = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var n = Fbm(x * 0.08f, y * 0.08f, seed, 5);
                var g = Hash(x, y, seed) * 50;
                Set(image, x, y, (90 + (80 * n) + g, 110 + (60 * n) + g, 70 + (40 * n) + g));
            }
        }

        return image;
    }

    public static RgbaImage Gradient(int width, int height)
    {
        var image = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                float u = (float)x / width, v = (float)y / height;
                Set(image, x, y, (40 + (200 * u), 60 + (150 * v), 200 - (120 * u * v)));
            }
        }

        return image;
    }

    // Sky, fractal ridge line, grassy foreground texture.
    public static RgbaImage Landscape(int width, int height, int seed)
    {
        var image = new RgbaImage(width, height);
        for (var x = 0; x < width; x++)
        {
            var ridge = height * (0.45f + (0.15f * Fbm(x * 0.01f, 0.5f, seed, 5)));
            for (var y = 0; y < height; y++)
            {
                if (y < ridge)
                {
                    var cloud = Math.Max(0, Fbm(x * 0.015f, y * 0.03f, seed + 1, 4)) * 90;
                    Set(image, x, y, (110 + cloud + (y * 60f / height), 160 + cloud + (y * 40f / height), 230 + (cloud * 0.2f)));
                }
                else
                {
                    var depth = (y - ridge) / (height - ridge + 1);
                    var grass = Fbm(x * 0.2f, y * 0.6f, seed + 2, 3) * 45;
                    var patch = Fbm(x * 0.02f, y * 0.04f, seed + 3, 3) * 35;
                    Set(image, x, y, (60 + grass + patch + (30 * depth), 110 + grass + patch - (20 * depth), 40 + (grass * 0.5f)));
                }
            }
        }

        return image;
    }

    // Turbulent veins: a fractal texture with oriented structure.
    public static RgbaImage Marble(int width, int height, int seed)
    {
        var image = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var t = (x * 0.03f) + (y * 0.015f) + (4 * Fbm(x * 0.012f, y * 0.012f, seed, 5));
                var vein = MathF.Pow(MathF.Abs(MathF.Sin(t * MathF.PI)), 0.35f);
                var speck = Hash(x, y, seed) * 12;
                Set(image, x, y, (60 + (170 * vein) + speck, 55 + (160 * vein) + speck, 65 + (150 * vein) + speck));
            }
        }

        return image;
    }

    // Fractal value noise in about [-1, 1].
    public static float Fbm(float x, float y, int seed, int octaves)
    {
        float sum = 0, amplitude = 0.6f;
        for (var o = 0; o < octaves; o++)
        {
            sum += amplitude * ValueNoise(x, y, seed + (o * 131));
            x *= 2.03f;
            y *= 2.03f;
            amplitude *= 0.5f;
        }

        return sum;
    }

    private static float ValueNoise(float x, float y, int seed)
    {
        int x0 = (int)MathF.Floor(x), y0 = (int)MathF.Floor(y);
        float tx = x - x0, ty = y - y0;
        tx = tx * tx * (3 - (2 * tx));
        ty = ty * ty * (3 - (2 * ty));
        var a = (Hash(x0, y0, seed) * 2) - 1;
        var b = (Hash(x0 + 1, y0, seed) * 2) - 1;
        var c = (Hash(x0, y0 + 1, seed) * 2) - 1;
        var d = (Hash(x0 + 1, y0 + 1, seed) * 2) - 1;
        return a + ((b - a) * tx) + ((c - a) * ty) + ((a - b - c + d) * tx * ty);
    }

    // In [0, 1).
    public static float Hash(int x, int y, int seed)
    {
        var h = (uint)((x * 374761393) + (y * 668265263) + (seed * 982451653));
        h = (h ^ (h >> 13)) * 1274126177u;
        h ^= h >> 16;
        return (h & 0xFFFFFF) / 16777216f;
    }

    private static void Set(RgbaImage image, int x, int y, (float R, float G, float B) c)
    {
        var row = image.Row(y);
        row[x * 4] = (byte)Math.Clamp(c.R, 0, 255);
        row[(x * 4) + 1] = (byte)Math.Clamp(c.G, 0, 255);
        row[(x * 4) + 2] = (byte)Math.Clamp(c.B, 0, 255);
        row[(x * 4) + 3] = 255;
    }
}
