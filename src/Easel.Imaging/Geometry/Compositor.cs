namespace Easel.Imaging;

/// <summary>Layering of RGBA images.</summary>
public static class Compositor
{
    /// <summary>
    /// Draws <paramref name="source"/> with its top-left at (<paramref name="x"/>, <paramref name="y"/>) on
    /// <paramref name="canvas"/>, source-over with straight alpha. Parts outside the canvas are clipped; offsets may be negative.
    /// </summary>
    public static void DrawImage(RgbaImage canvas, RgbaImage source, int x, int y)
    {
        ArgumentNullException.ThrowIfNull(canvas);
        ArgumentNullException.ThrowIfNull(source);

        // long: x + source.Width can overflow int for offsets near int.MaxValue.
        var left = Math.Max(0L, x);
        var top = Math.Max(0L, y);
        var right = Math.Min(canvas.Width, (long)x + source.Width);
        var bottom = Math.Min(canvas.Height, (long)y + source.Height);
        if (right <= left || bottom <= top)
        {
            return;
        }

        var dst = canvas.Pixels;
        var src = source.Pixels;
        var span = (int)(right - left);
        for (var cy = (int)top; cy < bottom; cy++)
        {
            var d = ((cy * canvas.Width) + (int)left) * 4;
            var s = ((((cy - y) * source.Width) + (int)(left - x)) * 4);
            for (var i = 0; i < span; i++, d += 4, s += 4)
            {
                int sa = src[s + 3];
                if (sa == 0)
                {
                    continue;
                }

                if (sa == 255)
                {
                    src.AsSpan(s, 4).CopyTo(dst.AsSpan(d, 4));
                    continue;
                }

                // In units of 255 * 255: outAlpha = sa + da * (1 - sa); colours weighted by their own contributions.
                int da = dst[d + 3];
                var sourceWeight = sa * 255;
                var destinationWeight = da * (255 - sa);
                var total = sourceWeight + destinationWeight;
                for (var c = 0; c < 3; c++)
                {
                    dst[d + c] = (byte)(((src[s + c] * sourceWeight) + (dst[d + c] * destinationWeight) + (total / 2)) / total);
                }

                dst[d + 3] = (byte)((total + 127) / 255);
            }
        }
    }

    /// <summary>Per channel, <c>original = lerp(original, filled, mask / 255)</c>. All three must be the same size.</summary>
    public static void BlendByMask(RgbaImage original, RgbaImage filled, AlphaMask mask)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(filled);
        ArgumentNullException.ThrowIfNull(mask);
        if (filled.Width != original.Width || filled.Height != original.Height || mask.Width != original.Width || mask.Height != original.Height)
        {
            throw new ArgumentException(
                $"Sizes differ: original {original.Width}x{original.Height}, filled {filled.Width}x{filled.Height}, mask {mask.Width}x{mask.Height}.");
        }

        var o = original.Pixels;
        var f = filled.Pixels;
        var m = mask.Values;
        for (var i = 0; i < m.Length; i++)
        {
            int t = m[i];
            if (t == 0)
            {
                continue;
            }

            var p = i * 4;
            if (t == 255)
            {
                f.AsSpan(p, 4).CopyTo(o.AsSpan(p, 4));
                continue;
            }

            for (var c = p; c < p + 4; c++)
            {
                // Round half away from zero so the blend is symmetric in its two inputs.
                var delta = (f[c] - o[c]) * t;
                o[c] = (byte)(o[c] + ((delta + (delta >= 0 ? 127 : -127)) / 255));
            }
        }
    }
}
