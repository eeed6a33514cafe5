using Easel.Imaging;

namespace Easel.Bench.Upscale;

// How the small test image is made from the original: Lanczos-3 (Easel's Resampler, what a downscale in Easel
// does) or a 2x2 box mean (a plain average, like binning on a sensor).
internal enum Degradation
{
    Lanczos,
    Box,
}

internal static class Degrade
{
    // The original is first cut to even sides so that half is exact.
    public static RgbaImage EvenCrop(RgbaImage image, int maxSide)
    {
        int w = image.Width & ~1, h = image.Height & ~1;
        if (maxSide > 0)
        {
            w = Math.Min(w, maxSide & ~1);
            h = Math.Min(h, maxSide & ~1);
        }

        if (w == image.Width && h == image.Height)
        {
            return image;
        }

        var crop = new RgbaImage(w, h);
        int x0 = (image.Width - w) / 2, y0 = (image.Height - h) / 2;
        for (var y = 0; y < h; y++)
        {
            image.Row(y0 + y).Slice(x0 * 4, w * 4).CopyTo(crop.Row(y));
        }

        return crop;
    }

    public static RgbaImage Half(RgbaImage image, Degradation model)
    {
        if (model == Degradation.Lanczos)
        {
            return Resampler.Resize(image, image.Width / 2, image.Height / 2, ResampleFilter.Lanczos3);
        }

        var half = new RgbaImage(image.Width / 2, image.Height / 2);
        for (var y = 0; y < half.Height; y++)
        {
            for (var x = 0; x < half.Width; x++)
            {
                for (var c = 0; c < 4; c++)
                {
                    var p = image.Pixels;
                    var i = (((2 * y) * image.Width) + (2 * x)) * 4 + c;
                    var s = p[i] + p[i + 4] + p[i + (image.Width * 4)] + p[i + (image.Width * 4) + 4];
                    half.Pixels[(((y * half.Width) + x) * 4) + c] = (byte)((s + 2) / 4);
                }
            }
        }

        return half;
    }
}
