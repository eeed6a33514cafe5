using Easel.Bench.Shared;
using Easel.Imaging;

namespace Easel.Bench.Fill;

// HoleEnergy and RingEnergy are the HF ratio's numerator and denominator (mean squared Laplacian per pixel; NaN
// when the hole's interior or the ring is empty), kept so the report can pool them over a kind's fills.
internal sealed record FillScores(double Psnr, double Ssim, double SsimOuter, double SeamError, double HighFrequencyRatio, double HoleEnergy, double RingEnergy);

// The harness's measures, all on Rec.601 luma except PSNR (RGB):
// - PSNR and SSIM (Gaussian window, sigma 1.5) over the hole's pixels;
// - SSIM over the outer 8 pixels of the hole, where structure has to continue;
// - seam error: mean |(R_p - R_k) - (O_p - O_k)| over 4-adjacent pairs with p in the hole and k outside, i.e. how
//   far the step across the hole's border differs from the original's (0 = the border is invisible);
// - high-frequency ratio: mean squared Laplacian inside the hole (3 px in from its border, so a seam does not
//   count) over the same in a 16 px ring outside; natural texture scores about 1, a smear near 0.
internal static class Metrics
{
    public static FillScores Score(RgbaImage original, RgbaImage result, AlphaMask mask)
    {
        int w = original.Width, h = original.Height;
        var hole = new byte[w * h];
        for (var i = 0; i < hole.Length; i++)
        {
            hole[i] = mask.Values[i] > 0 ? (byte)1 : (byte)0;
        }

        var inside = Chamfer(hole, w, h, inverted: false);
        var outside = Chamfer(hole, w, h, inverted: true);
        var lo = PhotoMetrics.Luma(original);
        var lr = PhotoMetrics.Luma(result);

        double se = 0;
        long n = 0;
        for (var i = 0; i < hole.Length; i++)
        {
            if (hole[i] == 0)
            {
                continue;
            }

            for (var c = 0; c < 3; c++)
            {
                double d = original.Pixels[(i * 4) + c] - result.Pixels[(i * 4) + c];
                se += d * d;
            }

            n += 3;
        }

        var psnr = n == 0 || se == 0 ? 99 : 10 * Math.Log10(255.0 * 255.0 / (se / n));
        var ssimMap = PhotoMetrics.SsimMap(lo, lr, w, h);
        double ssim = 0, ssimOuter = 0;
        long count = 0, countOuter = 0;
        for (var i = 0; i < hole.Length; i++)
        {
            if (hole[i] == 0)
            {
                continue;
            }

            ssim += ssimMap[i];
            count++;
            if (inside[i] <= 8)
            {
                ssimOuter += ssimMap[i];
                countOuter++;
            }
        }

        double seam = 0;
        long pairs = 0;
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var p = (y * w) + x;
                if (hole[p] == 0)
                {
                    continue;
                }

                foreach (var (dx, dy) in (ReadOnlySpan<(int, int)>)[(1, 0), (-1, 0), (0, 1), (0, -1)])
                {
                    int kx = x + dx, ky = y + dy;
                    if (kx < 0 || ky < 0 || kx >= w || ky >= h || hole[(ky * w) + kx] != 0)
                    {
                        continue;
                    }

                    var k = (ky * w) + kx;
                    seam += Math.Abs((lr[p] - lr[k]) - (lo[p] - lo[k]));
                    pairs++;
                }
            }
        }

        var lap = Laplacian(lr, w, h);
        double inEnergy = 0, ringEnergy = 0;
        long inCount = 0, ringCount = 0;
        for (var y = 1; y < h - 1; y++)
        {
            for (var x = 1; x < w - 1; x++)
            {
                var i = (y * w) + x;
                if (hole[i] != 0 && inside[i] >= 3)
                {
                    inEnergy += lap[i] * lap[i];
                    inCount++;
                }
                else if (hole[i] == 0 && outside[i] >= 2 && outside[i] <= 17)
                {
                    ringEnergy += lap[i] * lap[i];
                    ringCount++;
                }
            }
        }

        var hf = inCount == 0 || ringCount == 0 || ringEnergy == 0 ? double.NaN : (inEnergy / inCount) / (ringEnergy / ringCount);
        var holeEnergy = inCount == 0 || ringCount == 0 ? double.NaN : inEnergy / inCount;
        var ringPerPixel = inCount == 0 || ringCount == 0 ? double.NaN : ringEnergy / ringCount;
        return new FillScores(psnr, count == 0 ? 1 : ssim / count, countOuter == 0 ? 1 : ssimOuter / countOuter, pairs == 0 ? 0 : seam / pairs, hf, holeEnergy, ringPerPixel);
    }

    private static float[] Laplacian(float[] l, int w, int h)
    {
        var lap = new float[l.Length];
        for (var y = 1; y < h - 1; y++)
        {
            for (var x = 1; x < w - 1; x++)
            {
                var i = (y * w) + x;
                lap[i] = (4 * l[i]) - l[i - 1] - l[i + 1] - l[i - w] - l[i + w];
            }
        }

        return lap;
    }

    // City-block distance (1 per step) to the nearest pixel of the other set: inside the hole when not inverted.
    private static int[] Chamfer(byte[] hole, int w, int h, bool inverted)
    {
        const int far = 1 << 20;
        var d = new int[hole.Length];
        for (var i = 0; i < d.Length; i++)
        {
            d[i] = (hole[i] != 0) != inverted ? far : 0;
        }

        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var i = (y * w) + x;
                if (x > 0)
                {
                    d[i] = Math.Min(d[i], d[i - 1] + 1);
                }

                if (y > 0)
                {
                    d[i] = Math.Min(d[i], d[i - w] + 1);
                }
            }
        }

        for (var y = h - 1; y >= 0; y--)
        {
            for (var x = w - 1; x >= 0; x--)
            {
                var i = (y * w) + x;
                if (x < w - 1)
                {
                    d[i] = Math.Min(d[i], d[i + 1] + 1);
                }

                if (y < h - 1)
                {
                    d[i] = Math.Min(d[i], d[i + w] + 1);
                }
            }
        }

        return d;
    }
}
