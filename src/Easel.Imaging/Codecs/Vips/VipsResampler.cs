using NetVips;

namespace Easel.Imaging.Codecs.Vips;

// Downscaling through libvips' reduce (true Lanczos-3 with gap 0, 3-10x faster than Easel's separable resampler;
// the two agree to 55 dB). Transparency is premultiplied first, in float (libvips' 16-bit reduce rounds its weights
// and loses an alpha level on large reductions), so clear pixels lend no colour to their neighbours.
internal static class VipsResampler
{
    public static void Reduce(RgbaImage source, RgbaImage output, Enums.Kernel kernel)
    {
        var hscale = (double)output.Width / source.Width;
        var vscale = (double)output.Height / source.Height;
        if (IsOpaque(source.Pixels))
        {
            using var wrapped = VipsPixels.Wrap(source);
            using var resized = wrapped.Resize(hscale, kernel, gap: 0.0, vscale: vscale);
            Write(resized, output.Pixels);
            return;
        }

        var premultiplied = Premultiply(source.Pixels);
        using var raw = Image.NewFromMemory(premultiplied, source.Width, source.Height, 4, Enums.BandFormat.Float);
        using var reduced = raw.Resize(hscale, kernel, gap: 0.0, vscale: vscale);
        CheckSize(reduced, output);
        Unpremultiply(reduced.WriteToMemory<float>(), output.Pixels);
    }

    public static void Reduce(AlphaMask source, AlphaMask output, Enums.Kernel kernel)
    {
        using var wrapped = VipsPixels.Wrap(source);
        using var resized = wrapped.Resize((double)output.Width / source.Width, kernel, gap: 0.0, vscale: (double)output.Height / source.Height);
        CheckSize(resized, output.Width, output.Height);
        Write(resized, output.Values);
    }

    private static void Write(Image image, byte[] destination)
    {
        var bytes = image.WriteToMemory<byte>();
        if (bytes.Length != destination.Length)
        {
            throw new InvalidOperationException($"libvips resized to {image.Width}x{image.Height}, not the size asked for.");
        }

        bytes.CopyTo(destination, 0);
    }

    private static void CheckSize(Image image, RgbaImage output) => CheckSize(image, output.Width, output.Height);

    private static void CheckSize(Image image, int width, int height)
    {
        if (image.Width != width || image.Height != height)
        {
            throw new InvalidOperationException($"libvips resized to {image.Width}x{image.Height}, not {width}x{height}.");
        }
    }

    internal static bool IsOpaque(byte[] rgba)
    {
        for (var i = 3; i < rgba.Length; i += 4)
        {
            if (rgba[i] != 255)
            {
                return false;
            }
        }

        return true;
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
