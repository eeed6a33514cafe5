using NetVips;

namespace Easel.Imaging.Codecs.Vips;

// Decoding through libvips into Easel's straight 8-bit RGBA. The caller has already sniffed the format and checked
// the header's own size; here libvips' idea of the size is checked again before a pixel is fetched (the loader is what
// allocates), the load is sequential (pixels stream into the one output buffer), and every libvips failure becomes
// Easel's own message: libvips' error text lives in one process-wide buffer and can describe another thread's file.
internal static class VipsDecoder
{
    // Error refuses what libjpeg, libpng, libnsgif, libwebp and libheif report as an error (truncated data, bad
    // CRCs, broken structure); Warning would also refuse the many real-world files with harmless warnings (a JPEG
    // with stray bytes before a marker, a PNG with an outdated sRGB profile). tests/.../FailOnLevelTests measures
    // which level refuses which damage.
    internal const Enums.FailOn DefaultFailOn = Enums.FailOn.Error;

    public static RgbaImage Decode(ReadOnlySpan<byte> data, ImageFormat format, long maxPixels, Enums.FailOn failOn = DefaultFailOn)
    {
        LibvipsRuntime.EnsureInitialized();
        var name = ImageCodec.DisplayName(format);
        using var chain = new VipsChain();
        Image loaded;
        try
        {
            loaded = chain.Add(Image.NewFromBuffer(data, "", Enums.Access.Sequential, failOn));
        }
        catch (VipsException e)
        {
            throw new ImageDecodeException($"The {name} file could not be read: its header is malformed or of a kind Easel does not decode.", e);
        }

        // A loader libvips chose by its own sniffing must be the one for the format Easel recognised, or a file
        // that looks like one format to Easel and another to libvips reaches a loader nobody checked it for.
        if (!LoaderMatches(loaded, format))
        {
            throw new ImageDecodeException($"The {name} file could not be read: its contents are not {name}.");
        }

        ImageCodec.ThrowIfTooLarge(loaded.Width, loaded.Height, maxPixels);
        var orientation = Orientation(loaded);

        RgbaImage upright;
        try
        {
            var rgba = ToRgba8(chain, loaded);
            upright = VipsPixels.ToRgbaImage(rgba);
        }
        catch (VipsException e)
        {
            throw new ImageDecodeException($"The {name} file could not be decoded: its data is truncated or corrupt.", e);
        }

        return orientation is >= 2 and <= 8 ? Reorient(upright, orientation) : upright;
    }

    private static bool LoaderMatches(Image image, ImageFormat format)
    {
        var loader = image.Contains("vips-loader") ? image.Get("vips-loader") as string ?? "" : "";
        var expected = format switch
        {
            ImageFormat.Jpeg => "jpegload",
            ImageFormat.Png => "pngload",
            ImageFormat.WebP => "webpload",
            ImageFormat.Gif => "gifload",
            ImageFormat.Avif => "heifload",
            ImageFormat.Tiff => "tiffload",
            _ => null,
        };
        return expected is not null && loader.StartsWith(expected, StringComparison.Ordinal);
    }

    private static int Orientation(Image image)
        => image.Contains("orientation") && image.Get("orientation") is int value ? value : 1;

    // Any colour type, depth or profile to sRGB, 8 bits, four bands.
    private static Image ToRgba8(VipsChain chain, Image image)
    {
        var cmyk = image.Interpretation == Enums.Interpretation.Cmyk;
        if (image.Contains("icc-profile-data"))
        {
            // lcms also reduces 16-bit input to 8 bits with correct rounding here.
            image = chain.Add(image.IccTransform("srgb", intent: Enums.Intent.Perceptual, embedded: true,
                inputProfile: cmyk ? "cmyk" : "srgb", depth: 8));
        }
        else if (cmyk && image.Format == Enums.BandFormat.Uchar && image.Bands == 4)
        {
            // CMYK without a profile: the plain inversion R = (255 - C)(255 - K) / 255 that libjpeg and browsers use,
            // not a print profile, whose press gamut would dull colours nobody printed.
            image = chain.Add(image.Linear([-1.0], [255.0]));
            var rgb = chain.Add(image.ExtractBand(0, n: 3));
            var k = chain.Add(image.ExtractBand(3));
            image = chain.Add(chain.Add(rgb.Multiply(k)).Linear([1.0 / 255], [0.5], uchar: true));
            image = chain.Add(image.Copy(interpretation: Enums.Interpretation.Srgb));
        }

        if (image.Format == Enums.BandFormat.Ushort)
        {
            // round(v * 255 / 65535) = round(v / 257): libvips' own 16-to-8 conversion shifts right by 8, which
            // makes 65535 * 128 / 257 levels one step too dark.
            image = chain.Add(image.Linear([1.0 / 257], [0.5], uchar: true));
            image = chain.Add(image.Copy(interpretation: image.Bands <= 2 ? Enums.Interpretation.Bw : Enums.Interpretation.Srgb));
        }

        if (image.Interpretation is not (Enums.Interpretation.Srgb or Enums.Interpretation.Rgb))
        {
            image = chain.Add(image.Colourspace(Enums.Interpretation.Srgb));
        }

        if (image.Format != Enums.BandFormat.Uchar)
        {
            image = chain.Add(image.Cast(Enums.BandFormat.Uchar));
        }

        return image.Bands switch
        {
            3 => chain.Add(image.Bandjoin(255)),
            4 => image,
            > 4 => chain.Add(image.ExtractBand(0, n: 4)),
            _ => throw new ImageDecodeException($"The image has {image.Bands} colour channels after conversion to sRGB."),
        };
    }

    // EXIF orientation 2-8 (JPEG, and PNG/WebP/AVIF/TIFF files that carry EXIF): the image as it is meant to be seen.
    // Rotated after decoding, from memory, because a sequential load cannot be read in a rotated order.
    private static RgbaImage Reorient(RgbaImage image, int orientation)
    {
        using var source = VipsPixels.Wrap(image);
        using var tagged = source.Mutate(m => m.Set(GValue.GIntType, "orientation", orientation));
        using var rotated = tagged.Autorot();
        return VipsPixels.ToRgbaImage(rotated);
    }
}
