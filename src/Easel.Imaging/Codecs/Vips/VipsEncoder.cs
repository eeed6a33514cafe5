using NetVips;

namespace Easel.Imaging.Codecs.Vips;

// JPEG (libjpeg-turbo's SIMD encoder, as bundled with libvips) and WebP (libwebp) from Easel's pixels. No metadata is
// written: results carry no EXIF, XMP or profile (they are sRGB by construction).
internal static class VipsEncoder
{
    public static byte[] Jpeg(RgbaImage image, int quality, JpegSubsampling subsampling)
    {
        using var rgba = VipsPixels.Wrap(image);
        using var rgb = rgba.ExtractBand(0, n: 3);
        return rgb.JpegsaveBuffer(q: quality, optimizeCoding: true, interlace: false,
            subsampleMode: subsampling == JpegSubsampling.Yuv444 ? Enums.ForeignSubsample.Off : Enums.ForeignSubsample.On,
            keep: Enums.ForeignKeep.None);
    }

    public static byte[] WebP(RgbaImage image, int quality, bool lossless, int effort)
    {
        using var rgba = VipsPixels.Wrap(image);
        // An opaque image without its alpha plane is smaller and encodes faster; the decoder gives alpha 255 back.
        using var bands = VipsPixels.IsOpaque(image) ? rgba.ExtractBand(0, n: 3) : rgba.Copy();
        return bands.WebpsaveBuffer(q: quality, lossless: lossless, effort: effort, smartSubsample: false, keep: Enums.ForeignKeep.None);
    }
}
