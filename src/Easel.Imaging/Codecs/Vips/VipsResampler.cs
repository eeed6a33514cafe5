using NetVips;

namespace Easel.Imaging.Codecs.Vips;

// Downscaling through libvips' reduce (true Lanczos-3 with gap 0, 3-10x faster than Easel's separable resampler;
// the two agree to 55 dB). Transparency is premultiplied first, in float (libvips' 16-bit reduce rounds its weights
// and loses an alpha level on large reductions), so clear pixels lend no colour to their neighbours.
internal static class VipsResampler
{
    public static RgbaImage Reduce(RgbaImage source, int width, int height, Enums.Kernel kernel)
    {
        if (VipsPixels.IsOpaque(source))
        {
            using var wrapped = VipsPixels.Wrap(source);
            using var resized = Resize(wrapped, width, height, kernel);
            return VipsPixels.ToRgbaImage(resized);
        }

        using var raw = Image.NewFromMemory(Premultiply(source.Pixels), source.Width, source.Height, 4, Enums.BandFormat.Float);
        using var reduced = Resize(raw, width, height, kernel);
        var output = new RgbaImage(width, height);
        Unpremultiply(reduced.WriteToMemory<float>(), output.Pixels);
        return output;
    }

    public static AlphaMask Reduce(AlphaMask source, int width, int height, Enums.Kernel kernel)
    {
        using var wrapped = VipsPixels.Wrap(source);
        using var resized = Resize(wrapped, width, height, kernel);
        return new AlphaMask(width, height, resized.WriteToMemory<byte>());
    }

    // libvips rounds the output size from the scale; the size asked for is checked, not assumed.
    private static Image Resize(Image image, int width, int height, Enums.Kernel kernel)
    {
        var resized = image.Resize((double)width / image.Width, kernel, gap: 0.0, vscale: (double)height / image.Height);
        if (resized.Width != width || resized.Height != height)
        {
            var made = $"{resized.Width}x{resized.Height}";
            resized.Dispose();
            throw new InvalidOperationException($"libvips resized to {made}, not {width}x{height}.");
        }

        return resized;
    }

    private static float[] Premultiply(byte[] rgba)
    {
        var result = new float[rgba.Length];
        for (var i = 0; i < rgba.Length; i += 4)
        {
            var a = rgba[i + 3];
            var scale = a / 255f;
            result[i] = rgba[i] * scale;
            result[i + 1] = rgba[i + 1] * scale;
            result[i + 2] = rgba[i + 2] * scale;
            result[i + 3] = a;
        }

        return result;
    }

    private static void Unpremultiply(float[] premultiplied, byte[] rgba)
    {
        for (var i = 0; i < rgba.Length; i += 4)
        {
            var a = premultiplied[i + 3];
            var alpha = ToByte(a);
            if (alpha == 0)
            {
                rgba[i] = rgba[i + 1] = rgba[i + 2] = rgba[i + 3] = 0;
                continue;
            }

            var scale = 255f / a;
            rgba[i] = ToByte(premultiplied[i] * scale);
            rgba[i + 1] = ToByte(premultiplied[i + 1] * scale);
            rgba[i + 2] = ToByte(premultiplied[i + 2] * scale);
            rgba[i + 3] = alpha;
        }
    }

    // Lanczos lobes overshoot: clamped, then rounded to the nearest level.
    private static byte ToByte(float value) => (byte)Math.Clamp(MathF.Round(value), 0f, 255f);
}
