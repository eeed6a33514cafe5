using NetVips;

namespace Easel.Imaging.Tests.Codecs.Formats;

public sealed class FormatDecodingTests
{
    [FormatToolsFact]
    public void Lossless_webp_decodes_to_the_exact_source_pixels_alpha_included()
    {
        var source = FormatSamples.Translucent(67, 45);

        var decoded = ImageCodec.Decode(FormatSamples.WebPLossless(source));

        Assert.Equal(source.Pixels, decoded.Pixels);
    }

    [FormatToolsFact]
    public void Lossy_webp_decodes_to_the_pixels_dwebp_gives()
    {
        var webp = FormatSamples.WebPLossy(FormatSamples.Opaque(80, 60));

        var decoded = ImageCodec.Decode(webp);
        var reference = FormatTools.PngToRgba(FormatTools.Convert("dwebp", webp, ".webp", ".png", "-quiet", "{in}", "-o", "{out}"), out var width, out var height);

        Assert.Equal((width, height), (decoded.Width, decoded.Height));
        var (max, _) = FormatSamples.Difference(reference, decoded.Pixels);
        Assert.True(max <= 1, $"max difference {max}");
    }

    [FormatToolsFact]
    public void Animated_webp_decodes_its_first_frame()
    {
        var first = FormatSamples.Opaque(40, 30, seed: 1);
        var second = FormatSamples.Opaque(40, 30, seed: 9);

        var decoded = ImageCodec.Decode(FormatSamples.AnimatedWebP(first, second));

        Assert.Equal((40, 30), (decoded.Width, decoded.Height));
        Assert.Equal(first.Pixels, decoded.Pixels);
    }

    [FormatToolsFact]
    public void Gif_decodes_to_the_exact_source_pixels()
    {
        var source = FormatSamples.Palette(50, 37);

        Assert.Equal(source.Pixels, ImageCodec.Decode(FormatSamples.Gif(source)).Pixels);
    }

    [FormatToolsFact]
    public void Animated_gif_decodes_its_first_frame()
    {
        var first = FormatSamples.Palette(32, 24, seed: 2);
        var second = FormatSamples.Palette(32, 24, seed: 5);

        Assert.Equal(first.Pixels, ImageCodec.Decode(FormatSamples.AnimatedGif(first, second)).Pixels);
    }

    [FormatToolsFact]
    public void Lzw_tiff_decodes_to_the_exact_source_pixels_alpha_included()
    {
        var source = FormatSamples.Translucent(41, 29);

        Assert.Equal(source.Pixels, ImageCodec.Decode(FormatSamples.Tiff(source)).Pixels);
    }

    [FormatToolsFact]
    public void Avif_decodes_to_the_pixels_avifdec_gives()
    {
        var avif = FormatSamples.Avif(FormatSamples.Opaque(64, 48));

        var decoded = ImageCodec.Decode(avif);
        var reference = FormatTools.PngToRgba(FormatTools.Convert("avifdec", avif, ".avif", ".png", "--depth", "8", "{in}", "{out}"), out var width, out var height);

        Assert.Equal((width, height), (decoded.Width, decoded.Height));
        // libheif and libavif convert YUV to RGB with their own rounding.
        var (max, mean) = FormatSamples.Difference(reference, decoded.Pixels);
        Assert.True(max <= 3 && mean < 0.5, $"max difference {max}, mean {mean:F3}");
    }

    public static TheoryData<string, ImageFormat, string> RefusedFormats => new()
    {
        { "heic", ImageFormat.Heic, "HEIC decoding is not supported (HEVC-coded images cannot be decoded by this build); supported formats: PNG, JPEG, WebP, GIF, AVIF, TIFF" },
        { "jxl", ImageFormat.JpegXl, "JPEG XL decoding is not supported; supported formats: PNG, JPEG, WebP, GIF, AVIF, TIFF" },
        { "bmp", ImageFormat.Bmp, "BMP decoding is not supported; supported formats: PNG, JPEG, WebP, GIF, AVIF, TIFF" },
    };

    [FormatToolsTheory]
    [MemberData(nameof(RefusedFormats))]
    public void Formats_without_a_decoder_are_refused_by_name_with_the_list_of_supported_ones(string kind, ImageFormat format, string message)
    {
        var source = FormatSamples.Opaque(32, 24);
        var data = kind switch
        {
            "heic" => FormatSamples.Heic(source),
            "jxl" => FormatSamples.JpegXl(source),
            _ => FormatSamples.Bmp(source),
        };

        var error = Assert.Throws<UnsupportedImageFormatException>(() => ImageCodec.Decode(data));

        Assert.Equal(format, error.Format);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void A_display_p3_image_is_converted_to_srgb_by_its_embedded_profile()
    {
        var source = FormatSamples.Opaque(48, 32);
        byte[] p3Png;
        using (var srgb = Image.NewFromMemory(source.Pixels, source.Width, source.Height, 4, Enums.BandFormat.Uchar).Copy(interpretation: Enums.Interpretation.Srgb))
        using (var p3 = srgb.IccTransform("p3", inputProfile: "srgb", intent: Enums.Intent.Perceptual))
        {
            p3Png = p3.PngsaveBuffer(keep: Enums.ForeignKeep.Icc);
        }

        var decoded = ImageCodec.Decode(p3Png);

        // The P3 numbers themselves are far from the sRGB ones; converted back they are the source within rounding.
        var (rawMax, _) = FormatSamples.Difference(source.Pixels, StripProfile(p3Png));
        var (max, mean) = FormatSamples.Difference(source.Pixels, decoded.Pixels);
        Assert.True(rawMax > 20, $"the P3 encoding differs by only {rawMax}");
        Assert.True(max <= 6 && mean < 1, $"max difference {max}, mean {mean:F3}");
    }

    // The same PNG read as plain numbers: its pixels without the profile applied.
    private static byte[] StripProfile(byte[] png)
    {
        using var image = Image.NewFromBuffer(png);
        using var rgba = image.Bands == 3 ? image.Bandjoin(255) : image.Copy();
        return rgba.WriteToMemory<byte>();
    }
}
