using Easel.Imaging;

namespace Easel.Bench.Upscale;

internal sealed record UpscaleScores(double Psnr, double Ssim, double Ringing);

// Scores of an upscaled image against the original it was made from (same size):
// - PSNR over R, G and B;
// - SSIM on Rec.601 luma (Wang et al. 2004, Gaussian window sigma 1.5, 11 taps, borders clamped);
// - ringing: the mean overshoot, in luma levels, of the result beyond the ORIGINAL's range over the 9x9 window
//   around each pixel, taken over the pixels whose window holds a strong edge (range >= 48 levels). A halo or a
//   Lanczos lobe beside an edge leaves the range the true image has there; detail inside it does not count.
internal static class UpscaleMetrics
{
    private const int RingRadius = 4;
    private const float StrongEdge = 48;

    public static UpscaleScores Score(RgbaImage original, RgbaImage result)
    {
        int w = original.Width, h = original.Height;
        double se = 0;
        for (var i = 0; i < original.Pixels.Length; i++)
        {
            if ((i & 3) != 3)
            {
                double d = original.Pixels[i] - result.Pixels[i];
                se += d * d;
            }
        }

        var mse = se / (3.0 * w * h);
        var psnr = mse == 0 ? 99 : 10 * Math.Log10(255.0 * 255.0 / mse);
        var lo = Luma(original);
        var lr = Luma(result);
        var ssim = Ssim(lo, lr, w, h);
        var low = WindowExtreme(lo, w, h, RingRadius, Math.Min);
        var high = WindowExtreme(lo, w, h, RingRadius, Math.Max);
        double overshoot = 0;
        long count = 0;
        for (var i = 0; i < lo.Length; i++)
        {
            if (high[i] - low[i] >= StrongEdge)
            {
                overshoot += Math.Max(0, Math.Max(lr[i] - high[i], low[i] - lr[i]));
                count++;
            }
        }

        return new UpscaleScores(psnr, ssim, count == 0 ? 0 : overshoot / count);
    }

    public static float[] Luma(RgbaImage image)
    {
        var l = new float[image.Width * image.Height];
        for (var i = 0; i < l.Length; i++)
        {
            l[i] = (0.299f * image.Pixels[i * 4]) + (0.587f * image.Pixels[(i * 4) + 1]) + (0.114f * image.Pixels[(i * 4) + 2]);
        }

        return l;
    }

    private static float[] WindowExtreme(float[] v, int w, int h, int r, Func<float, float, float> pick)
    {
        var tmp = new float[v.Length];
        var output = new float[v.Length];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var e = v[(y * w) + x];
                for (var k = Math.Max(0, x - r); k <= Math.Min(w - 1, x + r); k++)
                {
                    e = pick(e, v[(y * w) + k]);
                }

                tmp[(y * w) + x] = e;
            }
        }

        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var e = tmp[(y * w) + x];
                for (var k = Math.Max(0, y - r); k <= Math.Min(h - 1, y + r); k++)
                {
                    e = pick(e, tmp[(k * w) + x]);
                }

                output[(y * w) + x] = e;
            }
        }

        return output;
    }

    private static double Ssim(float[] a, float[] b, int w, int h)
    {
        const float c1 = 6.5025f, c2 = 58.5225f;
        var n = a.Length;
        var ab = new float[n];
        var aa = new float[n];
        var bb = new float[n];
        for (var i = 0; i < n; i++)
        {
            ab[i] = a[i] * b[i];
            aa[i] = a[i] * a[i];
            bb[i] = b[i] * b[i];
        }

        var ma = Blur(a, w, h);
        var mb = Blur(b, w, h);
        var saa = Blur(aa, w, h);
        var sbb = Blur(bb, w, h);
        var sab = Blur(ab, w, h);
        double total = 0;
        for (var i = 0; i < n; i++)
        {
            var va = saa[i] - (ma[i] * ma[i]);
            var vb = sbb[i] - (mb[i] * mb[i]);
            var cov = sab[i] - (ma[i] * mb[i]);
            total += ((2 * ma[i] * mb[i]) + c1) * ((2 * cov) + c2) / (((ma[i] * ma[i]) + (mb[i] * mb[i]) + c1) * (va + vb + c2));
        }

        return total / n;
    }

    private static float[] Blur(float[] v, int w, int h)
    {
        var kernel = new float[11];
        float sum = 0;
        for (var k = 0; k < 11; k++)
        {
            kernel[k] = MathF.Exp(-((k - 5) * (k - 5)) / (2 * 1.5f * 1.5f));
            sum += kernel[k];
        }

        for (var k = 0; k < 11; k++)
        {
            kernel[k] /= sum;
        }

        var tmp = new float[v.Length];
        var output = new float[v.Length];
        Parallel.For(0, h, y =>
        {
            for (var x = 0; x < w; x++)
            {
                float s = 0;
                for (var k = 0; k < 11; k++)
                {
                    s += kernel[k] * v[(y * w) + Math.Clamp(x + k - 5, 0, w - 1)];
                }

                tmp[(y * w) + x] = s;
            }
        });
        Parallel.For(0, h, y =>
        {
            for (var x = 0; x < w; x++)
            {
                float s = 0;
                for (var k = 0; k < 11; k++)
                {
                    s += kernel[k] * tmp[(Math.Clamp(y + k - 5, 0, h - 1) * w) + x];
                }

                output[(y * w) + x] = s;
            }
        });
        return output;
    }
}
