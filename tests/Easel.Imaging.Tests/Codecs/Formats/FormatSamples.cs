using Easel.Imaging.Tests.Codecs.Jpeg;

namespace Easel.Imaging.Tests.Codecs.Formats;

// Source images for the format tests, and their PNG encodings (Easel's encoder) that the Debian tools read.
internal static class FormatSamples
{
    // Photo-like colour with an alpha ramp (every alpha level from opaque to clear across the width).
    public static RgbaImage Translucent(int width, int height, int seed = 1)
    {
        var image = Jpeg.JpegEncodingTests.Rgba(TestPhotos.Make(width, height, seed));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                image.Pixels[(((y * width) + x) * 4) + 3] = (byte)(255 - (x * 255 / Math.Max(1, width - 1)));
            }
        }

        return image;
    }

    // Opaque, at most 216 colours (a 6x6x6 cube), so a GIF holds it exactly.
    public static RgbaImage Palette(int width, int height, int seed = 1)
    {
        var image = Jpeg.JpegEncodingTests.Rgba(TestPhotos.Make(width, height, seed));
        for (var i = 0; i < image.Pixels.Length; i++)
        {
            image.Pixels[i] = (i & 3) == 3 ? (byte)255 : (byte)(image.Pixels[i] / 51 * 51);
        }

        return image;
    }

    public static RgbaImage Opaque(int width, int height, int seed = 1) => Jpeg.JpegEncodingTests.Rgba(TestPhotos.Make(width, height, seed));

    public static byte[] Png(RgbaImage image) => ImageCodec.EncodePng(image, 6);

    public static byte[] WebPLossless(RgbaImage image) => FormatTools.Convert("cwebp", Png(image), ".png", ".webp", "-quiet", "-lossless", "-exact", "{in}", "-o", "{out}");

    public static byte[] WebPLossy(RgbaImage image) => FormatTools.Convert("cwebp", Png(image), ".png", ".webp", "-quiet", "-q", "80", "{in}", "-o", "{out}");

    public static byte[] Gif(RgbaImage image) => FormatTools.Convert("convert", Png(image), ".png", ".gif", "{in}", "{out}");

    public static byte[] Tiff(RgbaImage image) => FormatTools.Convert("convert", Png(image), ".png", ".tif", "{in}", "-compress", "lzw", "{out}");

    public static byte[] Avif(RgbaImage image) => FormatTools.Convert("avifenc", Png(image), ".png", ".avif", "--min", "20", "--max", "30", "-s", "10", "{in}", "{out}");

    public static byte[] Heic(RgbaImage image) => FormatTools.Convert("heif-enc", Png(image), ".png", ".heic", "-q", "50", "{in}", "-o", "{out}");

    public static byte[] JpegXl(RgbaImage image) => FormatTools.Convert("cjxl", Png(image), ".png", ".jxl", "{in}", "{out}", "--quiet");

    public static byte[] Bmp(RgbaImage image) => FormatTools.Convert("convert", Png(image), ".png", ".bmp", "{in}", "BMP3:{out}");

    public static byte[] Jpeg90(RgbaImage image) => JpegTools.Cjpeg(Pnm.FromRgba(image), "-quality", "90");

    public static byte[] AnimatedWebP(RgbaImage first, RgbaImage second)
        => FormatTools.ConvertMany("img2webp", [Png(first), Png(second)], ".png", ".webp", "-lossless", "{in0}", "{in1}", "-o", "{out}");

    public static byte[] AnimatedGif(RgbaImage first, RgbaImage second)
        => FormatTools.ConvertMany("convert", [Png(first), Png(second)], ".png", ".gif", "-delay", "10", "{in0}", "{in1}", "{out}");

    // The most any channel of two same-sized images differs, and the mean difference.
    public static (int Max, double Mean) Difference(byte[] a, byte[] b)
    {
        Assert.Equal(a.Length, b.Length);
        var max = 0;
        long sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = Math.Abs(a[i] - b[i]);
            max = Math.Max(max, d);
            sum += d;
        }

        return (max, (double)sum / a.Length);
    }
}
