namespace Easel.Imaging.Tests.Geometry;

public sealed class UpscalerTests
{
    [Theory]
    [InlineData(2, 13, 7)]
    [InlineData(4, 13, 7)]
    [InlineData(2, 1, 1)]
    [InlineData(4, 1, 5)]
    [InlineData(2, 300, 2)]
    public void The_result_is_the_factor_times_each_side(int factor, int width, int height)
    {
        var result = Upscaler.Upscale(ResamplerTests.Noise(width, height, 3), factor, CancellationToken.None);

        Assert.Equal(width * factor, result.Width);
        Assert.Equal(height * factor, result.Height);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(-2)]
    public void Factors_other_than_two_and_four_are_refused(int factor)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Upscaler.Upscale(new RgbaImage(4, 4), factor, CancellationToken.None));

        Assert.Equal("factor", e.ParamName);
    }

    [Theory]
    [InlineData(4000, 2501, 2)] // 8000 x 5002: just over 40 MP
    [InlineData(1001, 2500, 4)] // 4004 x 10000: just over 40 MP
    [InlineData(32768, 1, 2)]   // 65536 wide
    [InlineData(1, 16384, 4)]   // 65536 tall
    public void A_result_over_the_limits_is_refused_before_anything_is_allocated(int width, int height, int factor)
    {
        var source = new RgbaImage(width, height);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Upscaler.Upscale(source, factor, CancellationToken.None));

        Assert.Contains("over the limit", e.Message, StringComparison.Ordinal);
        // The exception and its message only: not a plane of the result (megabytes).
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024, "the refusal allocated pixel buffers");
    }

    [Fact]
    public void A_result_just_inside_the_side_limit_is_made()
    {
        var result = Upscaler.Upscale(ResamplerTests.Noise(32767, 1, 5, opaque: true), 2, CancellationToken.None);

        Assert.Equal(65534, result.Width);
    }

    [Theory]
    [InlineData(255, 2)]
    [InlineData(255, 4)]
    [InlineData(100, 2)]
    [InlineData(1, 4)]
    public void A_flat_image_stays_flat(byte alpha, int factor)
    {
        var source = CompositorTests.Solid(21, 17, 37, 141, 222, alpha);

        var result = Upscaler.Upscale(source, factor, CancellationToken.None);

        Assert.All(Enumerable.Range(0, result.Width * result.Height), i =>
            Assert.Equal(new byte[] { 37, 141, 222, alpha }, result.Pixels[(i * 4)..((i * 4) + 4)]));
    }

    [Fact]
    public void A_fully_transparent_image_stays_fully_transparent_black()
    {
        var source = CompositorTests.Solid(30, 20, 250, 10, 90, 0);

        var result = Upscaler.Upscale(source, 2, CancellationToken.None);

        Assert.All(result.Pixels, b => Assert.Equal(0, b));
    }

    [Fact]
    public void The_colour_of_transparent_pixels_does_not_bleed_into_visible_ones()
    {
        // Left half opaque red, right half transparent with a hidden green that straight-alpha filtering would smear
        // across the border.
        var source = new RgbaImage(40, 24);
        for (var y = 0; y < 24; y++)
        {
            for (var x = 0; x < 40; x++)
            {
                byte[] pixel = x < 20 ? [255, 0, 0, 255] : [0, 255, 0, 0];
                pixel.CopyTo(source.Row(y)[(x * 4)..]);
            }
        }

        var result = Upscaler.Upscale(source, 2, CancellationToken.None);

        for (var i = 0; i < result.Width * result.Height; i++)
        {
            var pixel = result.Pixels.AsSpan(i * 4, 4);
            if (pixel[3] > 0)
            {
                Assert.Equal(new byte[] { 255, 0, 0 }, pixel[..3].ToArray());
            }

            var x = i % result.Width;
            if (x >= 48)
            {
                // Well inside the transparent half: still transparent (the colour planes carry no light there).
                Assert.Equal(0, pixel[3]);
            }
            else if (x < 32)
            {
                Assert.Equal(255, pixel[3]);
            }
        }
    }

    [Fact]
    public void The_same_input_gives_the_same_bytes_every_time()
    {
        // Large enough that the passes run their rows in parallel.
        var source = ResamplerTests.Noise(300, 260, 11);

        var first = Upscaler.Upscale(source, 2, CancellationToken.None);
        var second = Upscaler.Upscale(source, 2, CancellationToken.None);

        Assert.Equal(first.Pixels, second.Pixels);
    }

    [Fact]
    public void An_already_cancelled_token_stops_it_before_any_work()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => Upscaler.Upscale(new RgbaImage(64, 64), 2, cancelled.Token));
    }

    [Fact]
    public void A_token_cancelled_during_the_work_stops_it()
    {
        // 16 MP out: seconds of work. The token is cancelled from a thread of its own, as a timer's callback would
        // wait for a thread-pool thread that the parallel tests (and the upscaler itself) keep busy.
        using var soon = new CancellationTokenSource();
        var source = ResamplerTests.Noise(1024, 1024, 2, opaque: true);
        var canceller = new Thread(() =>
        {
            Thread.Sleep(30);
            soon.Cancel();
        });
        canceller.Start();

        Assert.ThrowsAny<OperationCanceledException>(() => Upscaler.Upscale(source, 4, soon.Token));
        canceller.Join();
    }

    [Fact]
    public void Scaling_the_result_back_down_gives_the_source_closely_and_closer_than_Lanczos_does()
    {
        var source = Scene(96, 80);

        var easel = Resampler.Resize(Upscaler.Upscale(source, 2, CancellationToken.None), 96, 80, ResampleFilter.Lanczos3);
        var lanczos = Resampler.Resize(Resampler.Resize(source, 192, 160, ResampleFilter.Lanczos3), 96, 80, ResampleFilter.Lanczos3);

        var easelError = MeanAbsoluteError(source, easel);
        Assert.True(easelError < 2.0, $"round trip off by {easelError:0.00} levels on average");
        Assert.True(easelError < MeanAbsoluteError(source, lanczos), $"easel {easelError:0.00}, Lanczos {MeanAbsoluteError(source, lanczos):0.00}");
    }

    [Fact]
    public void A_hard_edge_comes_out_steeper_than_Lanczos_and_without_its_overshoot()
    {
        // A dark/light boundary at a half-pixel position: the 2x2 mean of a sharp edge drawn at twice the size.
        var source = new RgbaImage(40, 8);
        for (var y = 0; y < 8; y++)
        {
            for (var x = 0; x < 40; x++)
            {
                var v = (byte)(x < 19 ? 40 : x == 19 ? 120 : 200);
                byte[] pixel = [v, v, v, 255];
                pixel.CopyTo(source.Row(y)[(x * 4)..]);
            }
        }

        var easel = Upscaler.Upscale(source, 2, CancellationToken.None);
        var lanczos = Resampler.Resize(source, 80, 16, ResampleFilter.Lanczos3);

        var (easelStep, easelOvershoot) = Edge(easel, 8);
        var (lanczosStep, lanczosOvershoot) = Edge(lanczos, 8);
        Assert.True(easelStep > lanczosStep, $"steepest step easel {easelStep}, Lanczos {lanczosStep}");
        Assert.True(lanczosOvershoot > 0, "the test edge should make Lanczos ring");
        Assert.Equal(0, easelOvershoot);
    }

    // The steepest step between neighbours along row y, and how far the row leaves the source's 40..200.
    private static (int Step, int Overshoot) Edge(RgbaImage image, int y)
    {
        var row = image.Row(y);
        int step = 0, overshoot = 0;
        for (var x = 0; x < image.Width; x++)
        {
            overshoot = Math.Max(overshoot, Math.Max(row[x * 4] - 200, 40 - row[x * 4]));
            if (x > 0)
            {
                step = Math.Max(step, Math.Abs(row[x * 4] - row[(x - 1) * 4]));
            }
        }

        return (step, overshoot);
    }

    private static double MeanAbsoluteError(RgbaImage a, RgbaImage b) =>
        a.Pixels.Zip(b.Pixels, (p, q) => Math.Abs(p - q)).Average();

    // Smooth shading, fine stripes and a hard-edged disc: the mix a photo has.
    private static RgbaImage Scene(int width, int height)
    {
        var image = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var disc = ((x - 60) * (x - 60)) + ((y - 40) * (y - 40)) < 400;
                var stripes = 40 * Math.Sin((x + (0.5 * y)) * 0.9);
                var shade = 60 + x + (0.5 * y);
                byte[] pixel =
                [
                    (byte)Math.Clamp(disc ? 230 : shade + stripes, 0, 255),
                    (byte)Math.Clamp(disc ? 30 : shade, 0, 255),
                    (byte)Math.Clamp(disc ? 60 : 200 - stripes, 0, 255),
                    255,
                ];
                pixel.CopyTo(image.Row(y)[(x * 4)..]);
            }
        }

        return image;
    }
}
