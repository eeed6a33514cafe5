using Easel.Engines.Upstream;
using Easel.Imaging;

namespace Easel.Server.Tests.Upstream;

/// <summary>A midjourney-proxy grid picture cut into its four images (API.md section 10 "Results"), and the grids refused before cropping.</summary>
public sealed class GridSplitTests
{
    private static readonly (byte R, byte G, byte B)[] Colours = [(200, 10, 10), (10, 200, 10), (10, 10, 200), (200, 200, 10)];

    /// <summary>A grid whose quadrant n is painted in Colours[n].</summary>
    private static RgbaImage Grid(int width, int height)
    {
        var image = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var n = (x < width / 2 ? 0 : 1) + (y < height / 2 ? 0 : 2);
                var i = ((y * width) + x) * 4;
                (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2], image.Pixels[i + 3]) = (Colours[n].R, Colours[n].G, Colours[n].B, 255);
            }
        }
        return image;
    }

    [Fact]
    public void A_png_grid_gives_four_pngs_of_half_its_sides_in_the_order_of_the_U_buttons()
    {
        var png = ImageCodec.EncodePng(Grid(64, 48));

        var quadrants = GridSplit.Split(png, ImageCodec.Identify(png));

        Assert.Equal(4, quadrants.Count);
        for (var n = 0; n < 4; n++)
        {
            Assert.Equal(ImageFormat.Png, quadrants[n].Format);
            var image = ImageCodec.Decode(quadrants[n].Bytes);
            Assert.Equal((32, 24), (image.Width, image.Height));
            // Every pixel is its quadrant's: no row or column of a neighbour crept in.
            for (var i = 0; i < image.Pixels.Length; i += 4)
            {
                Assert.Equal((Colours[n].R, Colours[n].G, Colours[n].B), (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2]));
            }
        }
    }

    [Fact]
    public void A_jpeg_grid_stays_jpeg()
    {
        var jpeg = ImageCodec.EncodeJpeg(Grid(64, 64), 95);

        var quadrants = GridSplit.Split(jpeg, ImageCodec.Identify(jpeg));

        Assert.All(quadrants, q => Assert.Equal(ImageFormat.Jpeg, ImageCodec.Identify(q.Bytes).Format));
        var last = ImageCodec.Decode(quadrants[3].Bytes);
        // Lossy, so near its colour rather than equal to it.
        Assert.InRange(last.Pixels[(16 * 32 + 16) * 4], 185, 215);
        Assert.InRange(last.Pixels[(16 * 32 + 16) * 4 + 2], 0, 30);
    }

    [Theory]
    [InlineData(63, 64)]
    [InlineData(64, 33)]
    [InlineData(1, 1)]
    public void A_grid_with_an_odd_side_is_refused_before_it_is_decoded(int width, int height)
    {
        // The header says the size; the bytes behind it are not an image at all, so a decode would fail otherwise.
        var error = Assert.Throws<UpstreamResultException>(() => GridSplit.Split([1, 2, 3], new ImageInfo(ImageFormat.Png, width, height)));

        Assert.Contains("each side must be even", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_grid_over_the_pixel_limit_is_refused_before_it_is_decoded()
    {
        var error = Assert.Throws<UpstreamResultException>(() => GridSplit.Split([1, 2, 3], new ImageInfo(ImageFormat.Png, 10_000, 8_000)));

        Assert.Contains("over the limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_grid_whose_bytes_do_not_decode_is_refused_with_a_message()
    {
        var png = ImageCodec.EncodePng(Grid(16, 16));

        var error = Assert.Throws<UpstreamResultException>(() => GridSplit.Split(png[..(png.Length / 2)], ImageCodec.Identify(png)));

        Assert.Contains("does not decode", error.Message, StringComparison.Ordinal);
    }
}
