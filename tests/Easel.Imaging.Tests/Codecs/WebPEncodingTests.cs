using Easel.Imaging.Tests.Codecs.Formats;

namespace Easel.Imaging.Tests.Codecs;

public sealed class WebPEncodingTests
{
    [Fact]
    public void Lossless_webp_round_trips_exactly_alpha_included()
    {
        var source = FormatSamples.Translucent(53, 31);
        // libwebp may drop the colour of fully transparent pixels; none is here.
        for (var i = 3; i < source.Pixels.Length; i += 4)
        {
            source.Pixels[i] = Math.Max(source.Pixels[i], (byte)1);
        }

        var webp = ImageCodec.EncodeWebP(source, quality: 100, lossless: true);

        Assert.Equal(ImageFormat.WebP, ImageCodec.Sniff(webp));
        Assert.Equal(source.Pixels, ImageCodec.Decode(webp).Pixels);
    }

    [Fact]
    public void Lossy_webp_stays_close_and_lower_quality_is_smaller()
    {
        var source = FormatSamples.Opaque(96, 64);

        var good = ImageCodec.EncodeWebP(source, quality: 90);
        var small = ImageCodec.EncodeWebP(source, quality: 30);
        var decoded = ImageCodec.Decode(good);

        Assert.True(small.Length < good.Length, $"{small.Length} >= {good.Length}");
        Assert.Equal((96, 64), (decoded.Width, decoded.Height));
        var (_, mean) = FormatSamples.Difference(source.Pixels, decoded.Pixels);
        // The sample carries per-pixel noise and WebP halves chroma: a few levels on average, as JPEG at the same quality.
        Assert.True(mean < 6, $"mean difference {mean:F2}");
    }

    [FormatToolsFact]
    public void Dwebp_reads_our_output_as_we_do()
    {
        var webp = ImageCodec.EncodeWebP(FormatSamples.Opaque(64, 40), quality: 80);

        var reference = FormatTools.PngToRgba(FormatTools.Convert("dwebp", webp, ".webp", ".png", "-quiet", "{in}", "-o", "{out}"), out _, out _);

        var (max, _) = FormatSamples.Difference(reference, ImageCodec.Decode(webp).Pixels);
        Assert.True(max <= 1, $"max difference {max}");
    }

    [Fact]
    public void Invalid_arguments_are_rejected()
    {
        var image = new RgbaImage(4, 4);

        Assert.Throws<ArgumentOutOfRangeException>(() => ImageCodec.EncodeWebP(image, quality: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageCodec.EncodeWebP(image, quality: 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageCodec.EncodeWebP(image, effort: 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageCodec.EncodeWebP(new RgbaImage(16384, 1)));
    }
}
