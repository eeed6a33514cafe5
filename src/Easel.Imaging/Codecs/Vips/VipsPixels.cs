using NetVips;

namespace Easel.Imaging.Codecs.Vips;

// Easel's buffers seen by libvips without a copy: the array is pinned for as long as the returned image lives.
internal static class VipsPixels
{
    public static Image Wrap(RgbaImage image)
    {
        LibvipsRuntime.EnsureInitialized();
        using var raw = Image.NewFromMemory(image.Pixels, image.Width, image.Height, 4, Enums.BandFormat.Uchar);
        return raw.Copy(interpretation: Enums.Interpretation.Srgb);
    }

    public static Image Wrap(AlphaMask mask)
    {
        LibvipsRuntime.EnsureInitialized();
        using var raw = Image.NewFromMemory(mask.Values, mask.Width, mask.Height, 1, Enums.BandFormat.Uchar);
        return raw.Copy(interpretation: Enums.Interpretation.Bw);
    }
}
