using Easel.Imaging;

namespace Easel.Bench.Shared;

// The photo metrics both quality harnesses (the fill's and the upscaler's) score with: luma and SSIM.
internal static class PhotoMetrics
{
    public static float[] Luma(RgbaImage image)
    {
        var l = new float[image.Width * image.Height];
        for (var i = 0; i < l.Length; i++)
        {
            l[i] = (0.299f * image.Pixels[i * 4]) + (0.587f * image.Pixels[(i * 4) + 1]) + (0.114f * image.Pixels[(i * 4) + 2]);
        }

        return l;
    }

    // Wang et al. 2004 with an 11-tap Gaussian (sigma 1.5), separable, borders clamped.
    public static float[] SsimMap(float[] a, float[] b, int w, int h)
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
        var map = new float[n];
        for (var i = 0; i < n; i++)
        {
            var va = saa[i] - (ma[i] * ma[i]);
            var vb = sbb[i] - (mb[i] * mb[i]);
            var cov = sab[i] - (ma[i] * mb[i]);
            map[i] = ((2 * ma[i] * mb[i]) + c1) * ((2 * cov) + c2) / (((ma[i] * ma[i]) + (mb[i] * mb[i]) + c1) * (va + vb + c2));
        }

        return map;
    }

    public static float[] Blur(float[] v, int w, int h)
    {
        var kernel = new float[11];
        float total = 0;
        for (var k = 0; k < 11; k++)
        {
            kernel[k] = MathF.Exp(-((k - 5) * (k - 5)) / (2 * 1.5f * 1.5f));
            total += kernel[k];
        }

        for (var k = 0; k < 11; k++)
        {
            kernel[k] /= total;
        }

        var tmp = new float[v.Length];
        var output = new float[v.Length];
        for (var y = 0; y < h; y++)
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
        }

        for (var y = 0; y < h; y++)
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
        }

        return output;
    }

    // The mean of the SSIM map: one number for a whole image.
    public static double MeanSsim(float[] a, float[] b, int w, int h)
    {
        double total = 0;
        foreach (var value in SsimMap(a, b, w, h))
        {
            total += value;
        }

        return total / a.Length;
    }
}
