namespace Easel.Imaging.Tests.Geometry;

public sealed class ResamplerTests
{
    public static TheoryData<ResampleFilter, int, int> FiltersAndSizes => new()
    {
        { ResampleFilter.Lanczos3, 7, 5 }, { ResampleFilter.Lanczos3, 40, 33 }, { ResampleFilter.Lanczos3, 3, 90 },
        { ResampleFilter.Bicubic, 7, 5 }, { ResampleFilter.Bicubic, 40, 33 },
        { ResampleFilter.Bilinear, 7, 5 }, { ResampleFilter.Bilinear, 40, 33 }, { ResampleFilter.Bilinear, 1, 1 },
    };

    [Theory]
    [MemberData(nameof(FiltersAndSizes))]
    public void Constant_image_stays_constant_when_resized(ResampleFilter filter, int width, int height)
    {
        var source = Filled(19, 17, 200, 100, 50, 180);

        var resized = Resampler.Resize(source, width, height, filter);

        Assert.Equal(width, resized.Width);
        Assert.Equal(height, resized.Height);
        Assert.All(Enumerable.Range(0, width * height), i => Assert.Equal(new byte[] { 200, 100, 50, 180 }, resized.Pixels[(i * 4)..((i * 4) + 4)]));
    }

    [Theory]
    [InlineData(ResampleFilter.Lanczos3)]
    [InlineData(ResampleFilter.Bicubic)]
    [InlineData(ResampleFilter.Bilinear)]
    public void Identity_size_is_exact(ResampleFilter filter)
    {
        var source = Noise(23, 11, 4);

        Assert.Equal(source.Pixels, Resampler.Resize(source, 23, 11, filter).Pixels);
    }

    [Theory]
    [InlineData(ResampleFilter.Lanczos3)]
    [InlineData(ResampleFilter.Bicubic)]
    [InlineData(ResampleFilter.Bilinear)]
    public void Resizing_only_the_width_keeps_each_rows_colour_exactly(ResampleFilter filter)
    {
        // The unchanged axis gets weights 1, 0, 0...: interpolating kernels pass rows through untouched.
        var source = new RgbaImage(9, 6);
        for (var y = 0; y < 6; y++)
        {
            for (var x = 0; x < 9; x++)
            {
                var pixel = source.Row(y).Slice(x * 4, 4);
                pixel[0] = (byte)(y * 40);
                pixel[1] = (byte)(255 - (y * 30));
                pixel[2] = (byte)(y * 7);
                pixel[3] = 255;
            }
        }

        var wider = Resampler.Resize(source, 17, 6, filter);

        for (var y = 0; y < 6; y++)
        {
            for (var x = 0; x < 17; x++)
            {
                Assert.Equal(source.Row(y)[..4].ToArray(), wider.Row(y).Slice(x * 4, 4).ToArray());
            }
        }
    }

    [Fact]
    public void Transparent_pixels_do_not_bleed_their_colour()
    {
        // Opaque red next to fully transparent green: the average must stay red, only alpha falls.
        var source = new RgbaImage(2, 1, [255, 0, 0, 255, 0, 255, 0, 0]);

        var pixel = Resampler.Resize(source, 1, 1, ResampleFilter.Bilinear).Pixels;

        Assert.Equal(new byte[] { 255, 0, 0, 128 }, pixel);
    }

    [Fact]
    public void Downscaling_widens_the_filter_so_a_fine_checkerboard_averages_to_grey()
    {
        var source = new RgbaImage(64, 64);
        for (var i = 0; i < 64 * 64; i++)
        {
            var v = ((i % 64) + (i / 64)) % 2 == 0 ? (byte)255 : (byte)0;
            source.Pixels.AsSpan(i * 4, 4).Fill(v);
            source.Pixels[(i * 4) + 3] = 255;
        }

        var small = Resampler.Resize(source, 8, 8, ResampleFilter.Lanczos3);

        Assert.All(Enumerable.Range(0, 64), i => Assert.InRange((int)small.Pixels[i * 4], 120, 135));
    }

    [Fact]
    public void Mask_resize_keeps_constant_masks_and_interpolates_edges()
    {
        var constant = new AlphaMask(10, 10);
        Array.Fill(constant.Values, (byte)77);
        var step = new AlphaMask(2, 1, [0, 255]);

        var resizedConstant = Resampler.Resize(constant, 25, 3);
        var resizedStep = Resampler.Resize(step, 4, 1);

        Assert.All(resizedConstant.Values, v => Assert.Equal(77, v));
        Assert.Equal(new byte[] { 0, 64, 191, 255 }, resizedStep.Values);
    }

    [Fact]
    public void Large_images_resize_in_parallel_with_the_same_result_as_row_by_row_maths()
    {
        var source = Noise(400, 300, 9, opaque: true);

        var a = Resampler.Resize(source, 173, 211);
        var b = Resampler.Resize(source, 173, 211);

        Assert.Equal(a.Pixels, b.Pixels);
    }

    private static RgbaImage Filled(int width, int height, byte r, byte g, byte b, byte a)
    {
        var image = new RgbaImage(width, height);
        for (var i = 0; i < width * height; i++)
        {
            image.Pixels[i * 4] = r;
            image.Pixels[(i * 4) + 1] = g;
            image.Pixels[(i * 4) + 2] = b;
            image.Pixels[(i * 4) + 3] = a;
        }

        return image;
    }

    internal static RgbaImage Noise(int width, int height, int seed, bool opaque = false)
    {
        var image = new RgbaImage(width, height);
        new Random(seed).NextBytes(image.Pixels);
        for (var i = 3; i < image.Pixels.Length && opaque; i += 4)
        {
            image.Pixels[i] = 255;
        }

        return image;
    }
}
