namespace Easel.Imaging.Tests.Codecs.Jpeg;

// Every JPEG here is made by libjpeg-turbo's cjpeg from an image the test generates; the reference pixels are
// djpeg's (default islow IDCT and fancy upsampling). The bar: within 3 on every channel, mean under 0.5.
public sealed class JpegConformanceTests
{
    public static TheoryData<string, int, int> Variants => new()
    {
        { "-sample 1x1", 61, 43 },
        { "-sample 2x1", 61, 43 },
        { "-sample 2x2", 61, 43 },
        { "-sample 1x2", 61, 43 },
        { "-sample 4x1", 61, 43 },
        { "-sample 2x2", 333, 257 },
        { "-sample 1x1 -quality 100", 40, 40 },
        { "-sample 2x2 -quality 5", 77, 65 },
        { "-sample 2x2 -optimize", 129, 67 },
        { "-progressive -sample 1x1", 61, 43 },
        { "-progressive -sample 2x1", 61, 43 },
        { "-progressive -sample 2x2", 61, 43 },
        { "-progressive -sample 1x2", 61, 43 },
        { "-progressive -sample 4x1", 61, 43 },
        { "-progressive -sample 2x2", 333, 257 },
        { "-restart 1 -sample 2x2", 100, 70 },
        { "-restart 3B -sample 2x2", 100, 70 },
        { "-restart 1B -progressive", 100, 70 },
        { "-restart 2 -sample 1x1", 57, 91 },
        { "-grayscale", 61, 43 },
        { "-grayscale -progressive", 61, 43 },
        { "-grayscale -restart 2B", 61, 43 },
        { "-rgb", 61, 43 },
        { "-quality 1", 64, 48 },
        { "-sample 1x1 -dct float", 8, 8 },
        { "-sample 2x2", 1, 1 },
        { "-sample 2x2", 2, 3 },
        { "-sample 2x1", 3, 17 },
    };

    [JpegToolsTheory]
    [MemberData(nameof(Variants))]
    public void Cjpeg_output_decodes_like_djpeg(string arguments, int width, int height)
    {
        var source = TestPhotos.Make(width, height, seed: width + height, grey: arguments.Contains("-grayscale", StringComparison.Ordinal));
        var jpeg = JpegTools.Cjpeg(source, arguments.Split(' '));

        var decoded = ImageCodec.Decode(jpeg);

        AssertClose(JpegTools.Djpeg(jpeg), decoded);
    }

    [JpegToolsFact]
    public void Quality_1_is_extended_sequential_with_16_bit_tables_and_decodes()
    {
        var jpeg = JpegTools.Cjpeg(TestPhotos.Make(64, 48), "-quality", "1");

        Assert.True(jpeg.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xC1]) > 0, "cjpeg should have written SOF1");
        AssertClose(JpegTools.Djpeg(jpeg), ImageCodec.Decode(jpeg));
    }

    [JpegToolsFact]
    public void Adobe_ycck_from_imagemagick_decodes_like_djpeg()
    {
        var convert = JpegTools.ImageMagick;
        if (convert is null)
        {
            Assert.False(JpegTools.OnCi, "ImageMagick is expected on CI for the CMYK sample");
            return;
        }

        var jpeg = JpegTools.Run(convert, ["ppm:-", "-colorspace", "CMYK", "jpeg:-"], TestPhotos.Make(61, 43).Encode());
        Assert.Equal(4, jpeg[jpeg.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xC0]) + 9]);

        AssertClose(JpegTools.Djpeg(jpeg), ImageCodec.Decode(jpeg));
    }

    [JpegToolsFact]
    public void Identify_reports_the_size_the_decoder_produces()
    {
        var jpeg = JpegTools.Cjpeg(TestPhotos.Make(123, 45), "-progressive");

        Assert.Equal(new ImageInfo(ImageFormat.Jpeg, 123, 45), ImageCodec.Identify(jpeg));
        var image = ImageCodec.Decode(jpeg);
        Assert.Equal((123, 45), (image.Width, image.Height));
    }

    internal static void AssertClose(Pnm reference, RgbaImage actual, int tolerance = 3, double meanLimit = 0.5)
    {
        Assert.Equal((reference.Width, reference.Height), (actual.Width, actual.Height));
        var expected = reference.ToRgba();
        long total = 0;
        var worst = 0;
        var worstAt = -1;
        for (var i = 0; i < expected.Length; i++)
        {
            var difference = Math.Abs(expected[i] - actual.Pixels[i]);
            total += difference;
            if (difference > worst)
            {
                worst = difference;
                worstAt = i;
            }
        }

        var mean = (double)total / expected.Length;
        var where = worstAt < 0 ? "" : $" at x={worstAt / 4 % actual.Width}, y={worstAt / 4 / actual.Width}, channel {worstAt % 4}";
        Assert.True(worst <= tolerance, $"largest difference {worst}{where}; mean {mean:F3}");
        Assert.True(mean < meanLimit, $"mean absolute difference {mean:F3}");
    }
}
