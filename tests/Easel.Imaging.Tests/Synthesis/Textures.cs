namespace Easel.Imaging.Tests.Synthesis;

// Procedural test images: periodic (stripes, bricks), stochastic (fractal noise) and smooth (gradient).
internal static class Textures
{
    public static RgbaImage Stripes(int width, int height, int period = 12)
    {
        var image = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var v = MathF.Sin((x + (0.5f * y)) / period * MathF.PI * 2);
                Set(image, x, y, 128 + (100 * v), 100 + (60 * v), 160 - (80 * v));
            }
        }

        return image;
    }

    public static RgbaImage Bricks(int width, int height)
    {
        const int brickW = 24, brickH = 12, mortar = 2;
        var image = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            var course = y / brickH;
            for (var x = 0; x < width; x++)
            {
                var shifted = x + (course % 2 == 1 ? brickW / 2 : 0);
                var inMortar = y % brickH < mortar || shifted % brickW < mortar;
                var grain = (Hash(x, y, 9) - 0.5f) * 16;
                if (inMortar)
                {
                    Set(image, x, y, 210 + grain, 205 + grain, 195 + grain);
                }
                else
                {
                    Set(image, x, y, 160 + grain, 60 + grain, 40 + grain);
                }
            }
        }

        return image;
    }

    // Fractal value noise: natural-looking texture without a period.
    public static RgbaImage Fractal(int width, int height, int seed)
    {
        var image = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                float sum = 0, amplitude = 0.6f, fx = x * 0.06f, fy = y * 0.06f;
                for (var o = 0; o < 4; o++)
                {
                    sum += amplitude * Value(fx, fy, seed + o);
                    fx *= 2.03f;
                    fy *= 2.03f;
                    amplitude *= 0.5f;
                }

                Set(image, x, y, 110 + (90 * sum), 120 + (70 * sum), 80 + (50 * sum));
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
                Set(image, x, y, 40 + (180f * x / width), 60 + (150f * y / height), 120);
            }
        }

        return image;
    }

    public static AlphaMask Box(int width, int height, int left, int top, int right, int bottom, byte value = 255)
    {
        var mask = new AlphaMask(width, height);
        for (var y = top; y < bottom; y++)
        {
            mask.Values.AsSpan((y * width) + left, right - left).Fill(value);
        }

        return mask;
    }

    // Everything outside a centred rectangle keeping `keep` of each side.
    public static AlphaMask Border(int width, int height, float keep)
    {
        int kw = (int)(width * keep), kh = (int)(height * keep);
        var mask = new AlphaMask(width, height);
        mask.Values.AsSpan().Fill(255);
        int x0 = (width - kw) / 2, y0 = (height - kh) / 2;
        for (var y = y0; y < y0 + kh; y++)
        {
            mask.Values.AsSpan((y * width) + x0, kw).Clear();
        }

        return mask;
    }

    // Diagonal and horizontal strokes `thickness` pixels wide.
    public static AlphaMask Scratches(int width, int height, int thickness)
    {
        var mask = new AlphaMask(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var diagonal = Math.Abs(x - y - 10) * 0.7071f < thickness / 2f;
                var horizontal = Math.Abs(y - (height * 2 / 3)) < thickness / 2f && x > 10 && x < width - 10;
                if (diagonal || horizontal)
                {
                    mask.Values[(y * width) + x] = 255;
                }
            }
        }

        return mask;
    }

    // Over the colour channels of the pixels where mask > 0.
    public static double MeanAbsoluteDifference(RgbaImage a, RgbaImage b, AlphaMask mask)
    {
        long sum = 0, n = 0;
        for (var i = 0; i < mask.Values.Length; i++)
        {
            if (mask.Values[i] == 0)
            {
                continue;
            }

            for (var c = 0; c < 3; c++)
            {
                sum += Math.Abs(a.Pixels[(i * 4) + c] - b.Pixels[(i * 4) + c]);
            }

            n += 3;
        }

        return n == 0 ? 0 : (double)sum / n;
    }

    // A gradient under a checkerboard, like the server tests' source pattern.
    public static RgbaImage CheckeredGradient(int width, int height)
    {
        var image = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var checker = ((x / 8) + (y / 8)) % 2 == 0 ? 40 : 0;
                Set(image, x, y, (x * 255f / (width - 1)) + checker, (y * 255f / (height - 1)) + checker, 128 + checker);
            }
        }

        return image;
    }

    public static double MeanAbsoluteDifference(RgbaImage a, RgbaImage b)
    {
        long sum = 0;
        for (var i = 0; i < a.Pixels.Length; i++)
        {
            if (i % 4 != 3)
            {
                sum += Math.Abs(a.Pixels[i] - b.Pixels[i]);
            }
        }

        return sum / (a.Pixels.Length * 0.75);
    }

    // Pearson correlation of luma over the pixels where mask > 0.
    public static double Correlation(RgbaImage a, RgbaImage b, AlphaMask mask)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (var i = 0; i < mask.Values.Length; i++)
        {
            if (mask.Values[i] > 0)
            {
                xs.Add(Luma(a, i));
                ys.Add(Luma(b, i));
            }
        }

        double mx = xs.Average(), my = ys.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var k = 0; k < xs.Count; k++)
        {
            sxy += (xs[k] - mx) * (ys[k] - my);
            sxx += (xs[k] - mx) * (xs[k] - mx);
            syy += (ys[k] - my) * (ys[k] - my);
        }

        return sxx == 0 || syy == 0 ? 0 : sxy / Math.Sqrt(sxx * syy);
    }

    public static double PsnrInside(RgbaImage a, RgbaImage b, AlphaMask mask)
    {
        double se = 0;
        long n = 0;
        for (var i = 0; i < mask.Values.Length; i++)
        {
            if (mask.Values[i] == 0)
            {
                continue;
            }

            for (var c = 0; c < 3; c++)
            {
                double d = a.Pixels[(i * 4) + c] - b.Pixels[(i * 4) + c];
                se += d * d;
            }

            n += 3;
        }

        return se == 0 ? 99 : 10 * Math.Log10(255.0 * 255.0 * n / se);
    }

    private static double Luma(RgbaImage image, int i) =>
        (0.299 * image.Pixels[i * 4]) + (0.587 * image.Pixels[(i * 4) + 1]) + (0.114 * image.Pixels[(i * 4) + 2]);

    private static float Value(float x, float y, int seed)
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

    private static float Hash(int x, int y, int seed)
    {
        var h = (uint)((x * 374761393) + (y * 668265263) + (seed * 982451653));
        h = (h ^ (h >> 13)) * 1274126177u;
        h ^= h >> 16;
        return (h & 0xFFFFFF) / 16777216f;
    }

    private static void Set(RgbaImage image, int x, int y, float r, float g, float b)
    {
        var row = image.Row(y);
        row[x * 4] = (byte)Math.Clamp(r, 0, 255);
        row[(x * 4) + 1] = (byte)Math.Clamp(g, 0, 255);
        row[(x * 4) + 2] = (byte)Math.Clamp(b, 0, 255);
        row[(x * 4) + 3] = 255;
    }
}
