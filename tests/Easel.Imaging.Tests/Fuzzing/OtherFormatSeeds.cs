using NetVips;

namespace Easel.Imaging.Tests.Fuzzing;

// Seeds of the formats Easel now decodes beyond PNG and JPEG, written by libvips' own savers (libwebp, cgif, libtiff,
// libheif with aom): the fuzz tests mutate them into the inputs the loaders must survive.
internal static class OtherFormatSeeds
{
    public static IEnumerable<byte[]> Make(RgbaImage image)
    {
        yield return ImageCodec.EncodeWebP(image, 80);
        yield return ImageCodec.EncodeWebP(image, 100, lossless: true);
        using var raw = Image.NewFromMemory(image.Pixels, image.Width, image.Height, 4, Enums.BandFormat.Uchar);
        using var rgba = raw.Copy(interpretation: Enums.Interpretation.Srgb);
        yield return rgba.GifsaveBuffer();
        yield return rgba.TiffsaveBuffer(compression: Enums.ForeignTiffCompression.Lzw);
        yield return rgba.TiffsaveBuffer(compression: Enums.ForeignTiffCompression.Deflate, tile: true, tileWidth: 16, tileHeight: 16);
        yield return rgba.HeifsaveBuffer(q: 50, compression: Enums.ForeignHeifCompression.Av1, effort: 0);
    }
}
