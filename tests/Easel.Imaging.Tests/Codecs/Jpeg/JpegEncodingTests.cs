namespace Easel.Imaging.Tests.Codecs.Jpeg;

public sealed class JpegEncodingTests
{
    [Theory]
    [InlineData(JpegSubsampling.Yuv420, 90, 6.0)]
    [InlineData(JpegSubsampling.Yuv444, 90, 4.0)]
    [InlineData(JpegSubsampling.Yuv444, 100, 1.5)]
    public void Round_trip_stays_close_to_the_source(JpegSubsampling subsampling, int quality, double meanLimit)
    {
        // The test photo carries +-12 of per-pixel noise, which JPEG discards by design: hence limits of a few levels.
        var source = Rgba(TestPhotos.Make(77, 53, seed: 9));

        var decoded = ImageCodec.Decode(ImageCodec.EncodeJpeg(source, quality, subsampling));

        Assert.Equal((77, 53), (decoded.Width, decoded.Height));
        Assert.True(MeanDifference(source, decoded) < meanLimit, $"mean {MeanDifference(source, decoded):F2}");
    }

    [JpegToolsTheory]
    [InlineData(JpegSubsampling.Yuv420, "2x2", 90)]
    [InlineData(JpegSubsampling.Yuv444, "1x1", 75)]
    [InlineData(JpegSubsampling.Yuv420, "2x2", 30)]
    public void Fidelity_is_that_of_cjpeg_at_the_same_settings(JpegSubsampling subsampling, string sample, int quality)
    {
        var pnm = TestPhotos.Make(120, 90, seed: 12);
        var source = Rgba(pnm);

        var ours = MeanDifference(source, ImageCodec.Decode(ImageCodec.EncodeJpeg(source, quality, subsampling)));
        var theirs = MeanDifference(source, Rgba(JpegTools.Djpeg(JpegTools.Cjpeg(pnm, "-quality", $"{quality}", "-sample", sample))));

        Assert.True(ours <= theirs * 1.1, $"ours {ours:F2}, cjpeg {theirs:F2}");
    }

    [Fact]
    public void Lower_quality_gives_smaller_files_and_stays_decodable()
    {
        var source = Rgba(TestPhotos.Make(96, 64, seed: 2));
        var sizes = new[] { 1, 25, 50, 75, 95, 100 }.Select(q => ImageCodec.EncodeJpeg(source, q).Length).ToArray();

        Assert.Equal(sizes.Order(), sizes);
        Assert.True(sizes[0] < sizes[^1] / 3);
        Assert.Equal(96, ImageCodec.Decode(ImageCodec.EncodeJpeg(source, 1)).Width);
    }

    [Fact]
    public void Output_is_a_baseline_jfif_with_the_declared_sampling()
    {
        var jpeg = ImageCodec.EncodeJpeg(new RgbaImage(20, 10), 80, JpegSubsampling.Yuv420);

        Assert.Equal(ImageFormat.Jpeg, ImageCodec.Sniff(jpeg));
        Assert.Equal(new ImageInfo(ImageFormat.Jpeg, 20, 10), ImageCodec.Identify(jpeg));
        var sof = jpeg.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xC0]);
        Assert.True(sof > 0);
        Assert.Equal(0x22, jpeg[sof + 11]);
        Assert.Equal([0xFF, 0xD9], jpeg[^2..]);
    }

    [Fact]
    public void Invalid_arguments_are_rejected()
    {
        var image = new RgbaImage(4, 4);

        Assert.Throws<ArgumentOutOfRangeException>(() => ImageCodec.EncodeJpeg(image, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageCodec.EncodeJpeg(image, 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageCodec.EncodeJpeg(image, 90, (JpegSubsampling)7));
        Assert.Throws<ArgumentNullException>(() => ImageCodec.EncodeJpeg(null!));
    }

    [JpegToolsTheory]
    [InlineData(JpegSubsampling.Yuv420)]
    [InlineData(JpegSubsampling.Yuv444)]
    public void Djpeg_reads_our_output_exactly_as_we_do(JpegSubsampling subsampling)
    {
        var jpeg = ImageCodec.EncodeJpeg(Rgba(TestPhotos.Make(131, 67, seed: 4)), 85, subsampling);

        JpegConformanceTests.AssertClose(JpegTools.Djpeg(jpeg), ImageCodec.Decode(jpeg), tolerance: 0, meanLimit: 1e-9);
    }

    [JpegToolsFact]
    public void Our_tables_and_quality_scaling_match_cjpeg()
    {
        var source = TestPhotos.Make(64, 48, seed: 8);
        var ours = ImageCodec.EncodeJpeg(Rgba(source), 75, JpegSubsampling.Yuv420);
        var theirs = JpegTools.Cjpeg(source, "-quality", "75", "-sample", "2x2", "-dct", "int");

        // cjpeg writes one DQT segment per table, we write both in one: compare the tables, not the framing.
        static byte[] Dqt(byte[] jpeg)
        {
            var tables = new List<byte>();
            var at = 0;
            while ((at = jpeg.AsSpan(at).IndexOf((ReadOnlySpan<byte>)[0xFF, 0xDB]) is var i and >= 0 ? at + i : -1) >= 0)
            {
                var length = (jpeg[at + 2] << 8) | jpeg[at + 3];
                tables.AddRange(jpeg.AsSpan(at + 4, length - 2).ToArray());
                at += 2 + length;
            }

            return [.. tables];
        }

        Assert.Equal(Dqt(theirs), Dqt(ours));
        // Same tables, same colour transform and DCT: the decoded pictures agree closely.
        JpegConformanceTests.AssertClose(JpegTools.Djpeg(theirs), ImageCodec.Decode(ours), tolerance: 6, meanLimit: 0.6);
    }

    internal static RgbaImage Rgba(Pnm pnm) => new(pnm.Width, pnm.Height, pnm.ToRgba());

    private static double MeanDifference(RgbaImage a, RgbaImage b)
    {
        long total = 0;
        for (var i = 0; i < a.Pixels.Length; i++)
        {
            total += Math.Abs(a.Pixels[i] - b.Pixels[i]);
        }

        return (double)total / a.Pixels.Length;
    }
}
