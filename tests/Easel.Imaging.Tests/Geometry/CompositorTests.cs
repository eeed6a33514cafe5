namespace Easel.Imaging.Tests.Geometry;

public sealed class CompositorTests
{
    [Fact]
    public void Opaque_source_at_a_negative_offset_is_copied_into_the_overlap_only()
    {
        var canvas = Solid(4, 4, 10, 10, 10, 255);
        var source = Solid(3, 3, 200, 100, 50, 255);

        Compositor.DrawImage(canvas, source, -1, -2);

        for (var y = 0; y < 4; y++)
        {
            for (var x = 0; x < 4; x++)
            {
                var expected = x < 2 && y < 1 ? new byte[] { 200, 100, 50, 255 } : new byte[] { 10, 10, 10, 255 };
                Assert.Equal(expected, canvas.Row(y).Slice(x * 4, 4).ToArray());
            }
        }
    }

    [Theory]
    [InlineData(4, 0)]
    [InlineData(0, -3)]
    [InlineData(int.MaxValue, int.MaxValue)]
    [InlineData(int.MinValue, 0)]
    public void Source_entirely_outside_the_canvas_changes_nothing(int x, int y)
    {
        var canvas = Solid(4, 4, 10, 10, 10, 255);
        var before = (byte[])canvas.Pixels.Clone();

        Compositor.DrawImage(canvas, Solid(3, 3, 1, 2, 3, 255), x, y);

        Assert.Equal(before, canvas.Pixels);
    }

    [Fact]
    public void Half_transparent_source_blends_over_opaque_and_over_transparent_canvas()
    {
        var opaque = Solid(1, 1, 0, 0, 255, 255);
        var empty = new RgbaImage(1, 1);
        var red = Solid(1, 1, 255, 0, 0, 128);

        Compositor.DrawImage(opaque, red, 0, 0);
        Compositor.DrawImage(empty, red, 0, 0);

        Assert.Equal(new byte[] { 128, 0, 127, 255 }, opaque.Pixels);
        Assert.Equal(new byte[] { 255, 0, 0, 128 }, empty.Pixels);
    }

    [Fact]
    public void Transparent_source_pixels_leave_the_canvas_alone()
    {
        var canvas = Solid(2, 2, 9, 8, 7, 6);

        Compositor.DrawImage(canvas, Solid(2, 2, 255, 255, 255, 0), 0, 0);

        Assert.Equal(Solid(2, 2, 9, 8, 7, 6).Pixels, canvas.Pixels);
    }

    [Fact]
    public void Blend_by_mask_interpolates_every_channel_by_mask_value()
    {
        var original = new RgbaImage(3, 1, [0, 0, 0, 0, 0, 0, 0, 0, 200, 100, 50, 255]);
        var filled = new RgbaImage(3, 1, [255, 255, 255, 255, 100, 200, 255, 255, 0, 0, 0, 0]);

        Compositor.BlendByMask(original, filled, new AlphaMask(3, 1, [255, 128, 0]));

        Assert.Equal(new byte[] { 255, 255, 255, 255, 50, 100, 128, 128, 200, 100, 50, 255 }, original.Pixels);
    }

    [Fact]
    public void Blend_by_mask_rejects_different_sizes()
        => Assert.Throws<ArgumentException>(() => Compositor.BlendByMask(new RgbaImage(2, 2), new RgbaImage(2, 2), new AlphaMask(2, 3)));

    internal static RgbaImage Solid(int width, int height, byte r, byte g, byte b, byte a)
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
}
