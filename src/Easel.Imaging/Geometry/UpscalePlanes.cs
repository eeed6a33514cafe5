namespace Easel.Imaging.Geometry;

// Straight RGBA bytes to and from one float plane per channel. Colour is premultiplied by alpha (0..255 scale) so
// filtering weights light, not the hidden colour of transparent pixels; an opaque image skips that and its alpha.
internal static class UpscalePlanes
{
    public static bool IsOpaque(byte[] pixels)
    {
        for (var i = 3; i < pixels.Length; i += 4)
        {
            if (pixels[i] != 255)
            {
                return false;
            }
        }

        return true;
    }

    public static float[] Extract(byte[] pixels, int channel, bool premultiply)
    {
        var plane = new float[pixels.Length / 4];
        for (var i = 0; i < plane.Length; i++)
        {
            float v = pixels[(i * 4) + channel];
            plane[i] = premultiply ? v * pixels[(i * 4) + 3] * (1f / 255) : v;
        }

        return plane;
    }

    // Alpha first (when the image has one), so colour can be divided by it as it is stored.
    public static void StoreAlpha(float[] alpha, byte[] pixels)
    {
        for (var i = 0; i < alpha.Length; i++)
        {
            var a = Math.Clamp(alpha[i], 0, 255);
            alpha[i] = a;
            pixels[(i * 4) + 3] = (byte)(a + 0.5f);
        }
    }

    public static void StoreColour(float[] plane, float[]? alpha, int channel, byte[] pixels)
    {
        for (var i = 0; i < plane.Length; i++)
        {
            var v = plane[i];
            if (alpha is not null)
            {
                var a = alpha[i];
                // A pixel that rounds to fully transparent carries no colour (as Resampler stores it).
                v = a < 0.5f ? 0 : v * 255 / a;
            }

            pixels[(i * 4) + channel] = v <= 0 ? (byte)0 : v >= 255 ? (byte)255 : (byte)(v + 0.5f);
        }
    }
}
