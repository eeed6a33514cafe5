using Easel.Imaging;

namespace Easel.Bench.Fill;

internal enum MaskKind
{
    Thin,
    Medium,
    Thick,
    Outpaint,
}

// Masks of the three kinds of LaMa's evaluation (Suvorov et al. 2022: random strokes of growing width, plus
// boxes for medium and thick) and a 25% outpainting border. Strokes are chains of line segments drawn as
// discs along the path; the widths are scaled to the image (LaMa's are for 256 and 512 pixels).
internal static class Masks
{
    public static AlphaMask Make(MaskKind kind, int width, int height, int seed)
    {
        var mask = new AlphaMask(width, height);
        var random = new Random(seed);
        var scale = Math.Min(width, height) / 512f;
        switch (kind)
        {
            case MaskKind.Thin:
                Strokes(mask, random, count: 4 + random.Next(4), minWidth: 3 * scale, maxWidth: 6 * scale, scale);
                break;
            case MaskKind.Medium:
                Strokes(mask, random, count: 2 + random.Next(3), minWidth: 15 * scale, maxWidth: 35 * scale, scale);
                Boxes(mask, random, count: 1 + random.Next(2), minSide: 0.08f, maxSide: 0.18f);
                break;
            case MaskKind.Thick:
                Strokes(mask, random, count: 1 + random.Next(3), minWidth: 40 * scale, maxWidth: 75 * scale, scale);
                Boxes(mask, random, count: 1 + random.Next(2), minSide: 0.2f, maxSide: 0.35f);
                break;
            case MaskKind.Outpaint:
                Border(mask, 0.25f);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }

        return mask;
    }

    // A centred rectangle keeping (1 - uncovered) of the area; everything around it is the hole.
    public static void Border(AlphaMask mask, float uncovered)
    {
        var keep = MathF.Sqrt(1 - uncovered);
        int w = mask.Width, h = mask.Height;
        int kw = (int)(w * keep), kh = (int)(h * keep);
        int x0 = (w - kw) / 2, y0 = (h - kh) / 2;
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var inside = x >= x0 && x < x0 + kw && y >= y0 && y < y0 + kh;
                mask.Values[(y * w) + x] = inside ? (byte)0 : (byte)255;
            }
        }
    }

    public static double Coverage(AlphaMask mask) => mask.Values.Count(v => v > 0) / (double)mask.Values.Length;

    private static void Strokes(AlphaMask mask, Random random, int count, float minWidth, float maxWidth, float scale)
    {
        for (var s = 0; s < count; s++)
        {
            float x = random.Next(mask.Width), y = random.Next(mask.Height);
            var radius = (minWidth + ((maxWidth - minWidth) * random.NextSingle())) / 2;
            var angle = random.NextSingle() * MathF.PI * 2;
            var segments = 3 + random.Next(6);
            for (var k = 0; k < segments; k++)
            {
                angle += (random.NextSingle() - 0.5f) * 2f;
                var length = (30 + (random.NextSingle() * 90)) * scale;
                float nx = x + (MathF.Cos(angle) * length), ny = y + (MathF.Sin(angle) * length);
                Segment(mask, x, y, nx, ny, radius);
                x = Math.Clamp(nx, 0, mask.Width - 1);
                y = Math.Clamp(ny, 0, mask.Height - 1);
            }
        }
    }

    private static void Segment(AlphaMask mask, float x0, float y0, float x1, float y1, float radius)
    {
        var steps = (int)MathF.Ceiling(MathF.Max(MathF.Abs(x1 - x0), MathF.Abs(y1 - y0))) + 1;
        for (var i = 0; i <= steps; i++)
        {
            var t = (float)i / steps;
            Disc(mask, x0 + ((x1 - x0) * t), y0 + ((y1 - y0) * t), radius);
        }
    }

    private static void Disc(AlphaMask mask, float cx, float cy, float radius)
    {
        var r2 = radius * radius;
        for (var y = (int)MathF.Floor(cy - radius); y <= (int)MathF.Ceiling(cy + radius); y++)
        {
            for (var x = (int)MathF.Floor(cx - radius); x <= (int)MathF.Ceiling(cx + radius); x++)
            {
                if (x < 0 || y < 0 || x >= mask.Width || y >= mask.Height)
                {
                    continue;
                }

                float dx = x + 0.5f - cx, dy = y + 0.5f - cy;
                if ((dx * dx) + (dy * dy) <= r2)
                {
                    mask.Values[(y * mask.Width) + x] = 255;
                }
            }
        }
    }

    private static void Boxes(AlphaMask mask, Random random, int count, float minSide, float maxSide)
    {
        for (var b = 0; b < count; b++)
        {
            var bw = (int)(mask.Width * (minSide + ((maxSide - minSide) * random.NextSingle())));
            var bh = (int)(mask.Height * (minSide + ((maxSide - minSide) * random.NextSingle())));
            var x0 = random.Next(Math.Max(1, mask.Width - bw));
            var y0 = random.Next(Math.Max(1, mask.Height - bh));
            for (var y = y0; y < y0 + bh; y++)
            {
                mask.Values.AsSpan((y * mask.Width) + x0, bw).Fill(255);
            }
        }
    }
}
