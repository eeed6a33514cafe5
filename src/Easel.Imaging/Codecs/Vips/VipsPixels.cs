using System.Runtime.InteropServices;
using NetVips;

namespace Easel.Imaging.Codecs.Vips;

// Easel's buffers seen by libvips without a copy (the array is pinned for as long as the returned image lives), and
// libvips' images rendered into Easel's.
internal static class VipsPixels
{
    // libvips renders straight into the managed buffer the RgbaImage will own: no native copy of the whole image
    // first (a 24-megapixel JPEG peaks at about the pixels, not twice them). Pinned so the address stays valid while
    // libvips' threads write. NewFromMemory + Write is not a documented promise of libvips: the exact round trips of
    // FormatDecodingTests hold it.
    public static RgbaImage ToRgbaImage(Image rgba)
    {
        var pixels = GC.AllocateUninitializedArray<byte>(checked(rgba.Width * rgba.Height * 4), pinned: true);
        using var target = Image.NewFromMemory(Marshal.UnsafeAddrOfPinnedArrayElement(pixels, 0), (ulong)pixels.Length,
            rgba.Width, rgba.Height, 4, Enums.BandFormat.Uchar);
        rgba.Write(target);
        return new RgbaImage(rgba.Width, rgba.Height, pixels);
    }

    public static bool IsOpaque(RgbaImage image)
    {
        var pixels = image.Pixels;
        for (var i = 3; i < pixels.Length; i += 4)
        {
            if (pixels[i] != 255)
            {
                return false;
            }
        }

        return true;
    }

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
