namespace Easel.Imaging.Tests.Synthesis;

public sealed class FastMarchingFillerTests
{
    [Fact]
    public void Pixels_outside_the_hole_are_byte_identical_to_the_input()
    {
        var image = Texture(96, 80, 1);
        var hole = Rectangle(96, 80, 30, 20, 60, 50, value: 40);

        var filled = new FastMarchingFiller().Fill(image, hole, 7, CancellationToken.None);

        for (var i = 0; i < hole.Values.Length; i++)
        {
            if (hole.Values[i] == 0)
            {
                Assert.Equal(image.Pixels.AsSpan(i * 4, 4).ToArray(), filled.Pixels.AsSpan(i * 4, 4).ToArray());
            }
        }
    }

    [Fact]
    public void Input_image_is_not_modified()
    {
        var image = Texture(40, 40, 2);
        var before = (byte[])image.Pixels.Clone();

        _ = new FastMarchingFiller().Fill(image, Rectangle(40, 40, 10, 10, 30, 30), 1, CancellationToken.None);

        Assert.Equal(before, image.Pixels);
    }

    [Fact]
    public void Hole_in_a_flat_colour_is_filled_with_that_colour()
    {
        var image = Solid(64, 64, 90, 140, 200, 255);
        var hole = Rectangle(64, 64, 16, 8, 50, 60);
        var withoutVariation = new FastMarchingFiller(5, 0f);

        var filled = withoutVariation.Fill(image, hole, 3, CancellationToken.None);

        Assert.Equal(image.Pixels, filled.Pixels);
    }

    [Fact]
    public void Variation_on_a_flat_colour_stays_within_a_few_levels()
    {
        var image = Solid(64, 64, 90, 140, 200, 255);
        var hole = Rectangle(64, 64, 16, 8, 50, 60);

        var filled = new FastMarchingFiller().Fill(image, hole, 3, CancellationToken.None);

        Assert.All(Enumerable.Range(0, 64 * 64), i => Assert.InRange(Math.Abs(filled.Pixels[i * 4] - 90), 0, 12));
    }

    [Fact]
    public void Fill_continues_a_horizontal_split_between_two_colours()
    {
        var image = new RgbaImage(60, 60);
        for (var y = 0; y < 60; y++)
        {
            for (var x = 0; x < 60; x++)
            {
                image.Row(y).Slice(x * 4, 4).Fill(y < 30 ? (byte)20 : (byte)230);
            }
        }

        var filled = new FastMarchingFiller(5, 0f).Fill(image, Rectangle(60, 60, 20, 10, 40, 50), 0, CancellationToken.None);

        Assert.InRange((int)filled.Row(15)[30 * 4], 20, 40);
        Assert.InRange((int)filled.Row(45)[30 * 4], 210, 230);
    }

    [Fact]
    public void Same_seed_gives_identical_bytes()
    {
        var image = Texture(80, 80, 3);
        var hole = Rectangle(80, 80, 20, 20, 60, 60);
        var filler = new FastMarchingFiller();

        Assert.Equal(filler.Fill(image, hole, 42, CancellationToken.None).Pixels, filler.Fill(image, hole, 42, CancellationToken.None).Pixels);
    }

    [Fact]
    public void Different_seeds_differ_visibly_inside_a_large_hole()
    {
        var image = Texture(256, 256, 4);
        var hole = Rectangle(256, 256, 64, 64, 192, 192);
        var filler = new FastMarchingFiller();

        var a = filler.Fill(image, hole, 1, CancellationToken.None);
        var b = filler.Fill(image, hole, 2, CancellationToken.None);

        double sum = 0;
        var count = 0;
        for (var i = 0; i < hole.Values.Length; i++)
        {
            if (hole.Values[i] > 0)
            {
                for (var c = 0; c < 3; c++)
                {
                    sum += Math.Abs(a.Pixels[(i * 4) + c] - b.Pixels[(i * 4) + c]);
                    count++;
                }
            }
        }

        Assert.True(sum / count >= 4, $"mean absolute difference {sum / count:F2}");
    }

    [Fact]
    public void Hole_touching_the_image_border_is_filled()
    {
        var image = Solid(50, 40, 30, 60, 90, 255);
        var hole = Rectangle(50, 40, 0, 0, 20, 40);
        image.Pixels.AsSpan(0, 4).Clear();

        var filled = new FastMarchingFiller(5, 0f).Fill(image, hole, 0, CancellationToken.None);

        Assert.Equal(Solid(50, 40, 30, 60, 90, 255).Pixels, filled.Pixels);
    }

    [Fact]
    public void Canvas_around_a_centred_image_is_filled_outward_and_opaque()
    {
        var canvas = new RgbaImage(512, 512);
        Compositor.DrawImage(canvas, Texture(256, 256, 5), 128, 128);
        var hole = new AlphaMask(512, 512);
        for (var i = 0; i < hole.Values.Length; i++)
        {
            hole.Values[i] = canvas.Pixels[(i * 4) + 3] == 0 ? (byte)255 : (byte)0;
        }

        var filled = new FastMarchingFiller().Fill(canvas, hole, 9, CancellationToken.None);

        Assert.All(Enumerable.Range(0, 512 * 512), i => Assert.Equal(255, filled.Pixels[(i * 4) + 3]));
    }

    [Fact]
    public void Transparent_known_pixels_do_not_leak_their_hidden_colour()
    {
        var image = Solid(30, 30, 0, 255, 0, 0);
        for (var y = 0; y < 30; y++)
        {
            for (var x = 15; x < 30; x++)
            {
                image.Row(y)[x * 4] = 200;
                image.Row(y)[(x * 4) + 1] = 0;
                image.Row(y)[(x * 4) + 3] = 255;
            }
        }

        var filled = new FastMarchingFiller(5, 0f).Fill(image, Rectangle(30, 30, 10, 10, 20, 20), 0, CancellationToken.None);

        Assert.Equal(0, filled.Row(15)[(12 * 4) + 1]);
    }

    [Fact]
    public void Empty_hole_returns_an_equal_copy()
    {
        var image = Texture(20, 20, 6);

        var filled = new FastMarchingFiller().Fill(image, new AlphaMask(20, 20), 0, CancellationToken.None);

        Assert.NotSame(image, filled);
        Assert.Equal(image.Pixels, filled.Pixels);
    }

    [Fact]
    public void Cancelled_token_throws_operation_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(
            () => new FastMarchingFiller().Fill(Texture(64, 64, 7), Rectangle(64, 64, 8, 8, 56, 56), 0, cancelled.Token));
    }

    [Fact]
    public void Cancellation_during_a_large_fill_stops_it()
    {
        using var cancellation = new CancellationTokenSource();
        var image = Texture(512, 512, 8);
        var hole = Rectangle(512, 512, 0, 0, 512, 400);
        var filler = new FastMarchingFiller();

        cancellation.CancelAfter(TimeSpan.FromMilliseconds(5));

        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            // The loop makes the test independent of machine speed: a fill that beats the timer is repeated.
            for (var i = 0; i < 1000; i++)
            {
                filler.Fill(image, hole, i, cancellation.Token);
            }
        });
    }

    [Fact]
    public void Mask_of_another_size_is_rejected()
        => Assert.Throws<ArgumentException>(() => new FastMarchingFiller().Fill(new RgbaImage(4, 4), new AlphaMask(4, 5), 0, CancellationToken.None));

    internal static RgbaImage Texture(int width, int height, int seed)
    {
        var random = new Random(seed);
        var image = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var p = ((y * width) + x) * 4;
                var stripe = ((x + y) / 12) % 2 == 0 ? 60 : 0;
                image.Pixels[p] = (byte)(100 + stripe + random.Next(-25, 25));
                image.Pixels[p + 1] = (byte)(80 + (y * 100 / height) + random.Next(-25, 25));
                image.Pixels[p + 2] = (byte)(60 + (x * 100 / width) + random.Next(-25, 25));
                image.Pixels[p + 3] = 255;
            }
        }

        return image;
    }

    internal static AlphaMask Rectangle(int width, int height, int left, int top, int right, int bottom, byte value = 255)
    {
        var mask = new AlphaMask(width, height);
        for (var y = top; y < bottom; y++)
        {
            mask.Values.AsSpan((y * width) + left, right - left).Fill(value);
        }

        return mask;
    }

    private static RgbaImage Solid(int width, int height, byte r, byte g, byte b, byte a)
        => Geometry.CompositorTests.Solid(width, height, r, g, b, a);
}
