namespace Easel.Imaging.Tests;

public sealed class PixelBufferTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, -1)]
    [InlineData(8000, 6000)]
    public void Image_size_outside_the_limits_is_rejected(int width, int height)
        => Assert.Throws<ArgumentOutOfRangeException>(() => new RgbaImage(width, height));

    [Fact]
    public void Pixel_array_of_the_wrong_length_is_rejected()
        => Assert.Throws<ArgumentException>(() => new RgbaImage(2, 2, new byte[15]));

    [Fact]
    public void Row_is_a_view_of_the_pixels_and_clone_is_a_copy()
    {
        var image = new RgbaImage(3, 2);
        image.Row(1)[4] = 9;
        var clone = image.Clone();
        clone.Pixels[16] = 1;

        Assert.Equal(9, image.Pixels[16]);
        Assert.Equal(1, clone.Pixels[16]);
        Assert.Throws<ArgumentOutOfRangeException>(() => image.Row(2).Length);
    }

    [Fact]
    public void Mask_union_keeps_the_larger_value_per_pixel()
    {
        var mask = new AlphaMask(3, 1, [10, 200, 0]);
        mask.UnionWith(new AlphaMask(3, 1, [50, 100, 0]));

        Assert.Equal(new byte[] { 50, 200, 0 }, mask.Values);
        Assert.False(mask.IsEmpty());
        Assert.True(new AlphaMask(4, 4).IsEmpty());
        Assert.Throws<ArgumentException>(() => mask.UnionWith(new AlphaMask(2, 1)));
    }

    [Fact]
    public void Luminance_mask_uses_rec709_weights_and_alpha()
    {
        var image = new RgbaImage(5, 1, [255, 255, 255, 255, 255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 0]);

        var mask = AlphaMask.FromLuminance(image);

        Assert.Equal(new byte[] { 255, 54, 182, 18, 0 }, mask.Values);
    }
}
