using Easel.Core.Operations;
using Easel.Imaging;

namespace Easel.Engines.Local;

/// <summary>
/// Remix without a generative model (the prompt is stored and reported, not read; the upstream engines follow it):
/// the image re-synthesised from its own patches by <see cref="PatchRemixer"/>. Subtle re-draws the fine texture and
/// keeps the layout; strong starts from a coarse level, so shapes move. Images too small to have patches to reuse
/// are moved by a smooth seeded displacement field and re-toned instead.
/// </summary>
internal static class RemixPainter
{
    public static RgbaImage Paint(RgbaImage source, RemixMode mode, int seed, CancellationToken cancellationToken)
    {
        if (source.Width >= PatchRemixer.MinimumSide && source.Height >= PatchRemixer.MinimumSide)
        {
            var remixed = PatchRemixer.Remix(source, mode == RemixMode.Strong ? RemixStrength.Strong : RemixStrength.Subtle, seed, cancellationToken);
            LocalEngine.MakeOpaque(remixed);
            return remixed;
        }

        return Displace(source, mode, seed, cancellationToken);
    }

    private static RgbaImage Displace(RgbaImage source, RemixMode mode, int seed, CancellationToken cancellationToken)
    {
        var strong = mode == RemixMode.Strong;
        var size = Math.Min(source.Width, source.Height);
        var amplitude = size * (strong ? 0.06f : 0.012f);
        var cells = strong ? 3 : 8;
        var tone = strong ? 0.12f : 0.03f;

        var random = new Random(seed);
        var fieldX = Lattice(random, cells);
        var fieldY = Lattice(random, cells);
        Span<float> gains = [1 + (Signed(random) * tone), 1 + (Signed(random) * tone), 1 + (Signed(random) * tone)];
        var (gr, gg, gb) = (gains[0], gains[1], gains[2]);

        var result = new RgbaImage(source.Width, source.Height);
        var w = source.Width;
        var h = source.Height;
        Parallel.For(0, h, new ParallelOptions { CancellationToken = cancellationToken }, y =>
        {
            var row = result.Row(y);
            var v = (float)y / h * cells;
            for (var x = 0; x < w; x++)
            {
                var u = (float)x / w * cells;
                var sx = x + (Smooth(fieldX, cells, u, v) * amplitude);
                var sy = y + (Smooth(fieldY, cells, u, v) * amplitude);
                var o = x * 4;
                Sample(source, sx, sy, row.Slice(o, 4));
                row[o] = Clamp(row[o] * gr);
                row[o + 1] = Clamp(row[o + 1] * gg);
                row[o + 2] = Clamp(row[o + 2] * gb);
                row[o + 3] = 255;
            }
        });
        return result;
    }

    private static float[] Lattice(Random random, int cells)
    {
        var n = cells + 2;
        var values = new float[n * n];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Signed(random);
        }
        return values;
    }

    // Bicubic-smooth value noise: the field has no creases, so straight edges bend rather than break.
    private static float Smooth(float[] lattice, int cells, float u, float v)
    {
        var n = cells + 2;
        var x0 = Math.Clamp((int)u, 0, cells);
        var y0 = Math.Clamp((int)v, 0, cells);
        var fx = Fade(u - x0);
        var fy = Fade(v - y0);
        var a = lattice[(y0 * n) + x0];
        var b = lattice[(y0 * n) + x0 + 1];
        var c = lattice[((y0 + 1) * n) + x0];
        var d = lattice[((y0 + 1) * n) + x0 + 1];
        return a + ((b - a) * fx) + ((c - a) * fy) + ((a - b - c + d) * fx * fy);
    }

    private static float Fade(float t) => t * t * (3 - (2 * t));

    private static float Signed(Random random) => (random.NextSingle() * 2) - 1;

    private static byte Clamp(float v) => (byte)Math.Clamp((int)(v + 0.5f), 0, 255);

    private static void Sample(RgbaImage image, float x, float y, Span<byte> into)
    {
        // Mirrored at the borders, so displaced samples never read outside or smear an edge pixel.
        x = Mirror(x, image.Width);
        y = Mirror(y, image.Height);
        var x0 = (int)x;
        var y0 = (int)y;
        var x1 = Math.Min(x0 + 1, image.Width - 1);
        var y1 = Math.Min(y0 + 1, image.Height - 1);
        var fx = x - x0;
        var fy = y - y0;
        var p = image.Pixels;
        var stride = image.Width * 4;
        for (var c = 0; c < 4; c++)
        {
            var top = (p[(y0 * stride) + (x0 * 4) + c] * (1 - fx)) + (p[(y0 * stride) + (x1 * 4) + c] * fx);
            var bottom = (p[(y1 * stride) + (x0 * 4) + c] * (1 - fx)) + (p[(y1 * stride) + (x1 * 4) + c] * fx);
            into[c] = Clamp((top * (1 - fy)) + (bottom * fy));
        }
    }

    private static float Mirror(float v, int size)
    {
        var max = size - 1;
        if (max == 0)
        {
            return 0;
        }
        var period = 2f * max;
        v = Math.Abs(v) % period;
        return v > max ? period - v : v;
    }
}
