using Easel.Imaging;

namespace Easel.Engines.Upstream;

/// <summary>
/// The Midjourney family's grid image cut into its four images (API.md section 10 "Results"): a proxy that gives only
/// <c>imageUrl</c> gives one picture holding the four as a 2x2 grid, image 1 top left, 2 top right, 3 bottom left, 4
/// bottom right (the order of its U1-U4 buttons). The grid's size is checked from its header before a pixel is decoded:
/// each side even (four equal quadrants), the whole within Easel's pixel limit. The quadrants keep the grid's format
/// where Easel encodes it losslessly or as the proxy did (PNG stays PNG, JPEG stays JPEG); any other format becomes PNG.
/// </summary>
public static class GridSplit
{
    public static IReadOnlyList<(byte[] Bytes, ImageFormat Format)> Split(byte[] grid, ImageInfo info)
    {
        ArgumentNullException.ThrowIfNull(grid);
        if (info.Width < 2 || info.Height < 2 || info.Width % 2 != 0 || info.Height % 2 != 0)
        {
            throw new UpstreamResultException($"the upstream's grid image is {info.Width}x{info.Height}, which does not split into four equal images (each side must be even)");
        }
        if ((long)info.Width * info.Height > ImageLimits.MaxPixels)
        {
            throw new UpstreamResultException($"the upstream's grid image is {info.Width}x{info.Height}, over the limit of {ImageLimits.MaxPixels} pixels");
        }
        RgbaImage image;
        try
        {
            image = ImageCodec.Decode(grid);
        }
        catch (ImageDecodeException e)
        {
            throw new UpstreamResultException($"the upstream's grid image does not decode: {e.Message}", e);
        }
        if (image.Width != info.Width || image.Height != info.Height)
        {
            throw new UpstreamResultException($"the upstream's grid image decodes at {image.Width}x{image.Height}, not the {info.Width}x{info.Height} its header says");
        }
        var (w, h) = (image.Width / 2, image.Height / 2);
        var format = info.Format == ImageFormat.Jpeg ? ImageFormat.Jpeg : ImageFormat.Png;
        var quadrants = new List<(byte[], ImageFormat)>(4);
        for (var n = 0; n < 4; n++)
        {
            var quadrant = Crop(image, (n % 2) * w, (n / 2) * h, w, h);
            quadrants.Add((format == ImageFormat.Jpeg ? ImageCodec.EncodeJpeg(quadrant, 92) : ImageCodec.EncodePng(quadrant), format));
        }
        return quadrants;
    }

    private static RgbaImage Crop(RgbaImage image, int left, int top, int width, int height)
    {
        var crop = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            image.Row(top + y).Slice(left * 4, width * 4).CopyTo(crop.Row(y));
        }
        return crop;
    }
}
