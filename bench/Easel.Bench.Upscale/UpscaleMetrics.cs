using Easel.Bench.Shared;
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
        var lo = PhotoMetrics.Luma(original);
        var lr = PhotoMetrics.Luma(result);
        var ssim = PhotoMetrics.MeanSsim(lo, lr, w, h);
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

}
