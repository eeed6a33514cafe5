using System.Buffers.Binary;

namespace Easel.Imaging.Tests.Codecs.Jpeg;

public sealed class JpegDecodingTests
{
    // EXIF orientation -> the jpegtran transform that stores the same picture upright.
    public static TheoryData<int, string[]> Orientations => new()
    {
        { 1, [] },
        { 2, ["-flip", "horizontal"] },
        { 3, ["-rotate", "180"] },
        { 4, ["-flip", "vertical"] },
        { 5, ["-transpose"] },
        { 6, ["-rotate", "90"] },
        { 7, ["-transverse"] },
        { 8, ["-rotate", "270"] },
    };

    [JpegToolsTheory]
    [MemberData(nameof(Orientations))]
    public void Exif_orientation_is_applied_so_the_image_is_upright(int orientation, string[] transform)
    {
        // 4:4:4 and whole MCUs make every jpegtran transform lossless, so djpeg of its output is the expectation; transposing
        // the coefficients changes only the IDCT's rounding order (differences of 1-2), a wrong orientation differs wildly.
        var stored = JpegTools.Cjpeg(TestPhotos.Make(64, 48, seed: 5), "-sample", "1x1");
        var upright = transform.Length == 0 ? stored : JpegTools.Jpegtran(stored, [.. transform, "-perfect", "-copy", "none"]);

        var decoded = ImageCodec.Decode(WithExifOrientation(stored, orientation, bigEndian: orientation % 2 == 0));

        JpegConformanceTests.AssertClose(JpegTools.Djpeg(upright), decoded, tolerance: 2, meanLimit: 0.05);
    }

    [JpegToolsFact]
    public void A_malformed_exif_block_is_ignored()
    {
        var jpeg = JpegTools.Cjpeg(TestPhotos.Make(32, 16), "-sample", "1x1");
        var broken = Insert(jpeg, App1([.. "Exif\0\0MM\0*"u8, 0xFF, 0xFF, 0xFF, 0x00]));

        var decoded = ImageCodec.Decode(broken);

        Assert.Equal((32, 16), (decoded.Width, decoded.Height));
    }

    [JpegToolsFact]
    public void Arithmetic_coding_decodes_to_djpegs_pixels()
    {
        var jpeg = JpegTools.Cjpeg(TestPhotos.Make(48, 40), "-arithmetic");

        var decoded = ImageCodec.Decode(jpeg);

        Assert.Equal(JpegTools.Djpeg(jpeg).ToRgba(), decoded.Pixels);
    }

    [JpegToolsTheory]
    [InlineData(0xC3, "lossless JPEG (SOF3)")]
    [InlineData(0xC5, "hierarchical JPEG (SOF5)")]
    [InlineData(0xCF, "lossless JPEG (SOF15)")]
    public void Other_processes_are_refused_by_name(byte sof, string named)
    {
        var jpeg = JpegTools.Cjpeg(TestPhotos.Make(16, 16));
        jpeg[jpeg.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xC0]) + 1] = sof;

        var error = Assert.Throws<UnsupportedImageFormatException>(() => ImageCodec.Decode(jpeg));

        Assert.Contains(named, error.Message);
        Assert.Contains("supported formats: PNG, JPEG, WebP, GIF, AVIF, TIFF", error.Message);
    }

    [JpegToolsFact]
    public void Twelve_bit_samples_are_refused_by_name()
    {
        var jpeg = JpegTools.Cjpeg(TestPhotos.Make(16, 16));
        jpeg[jpeg.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xC0]) + 4] = 12;

        Assert.Contains("12-bit JPEG", Assert.Throws<UnsupportedImageFormatException>(() => ImageCodec.Decode(jpeg)).Message);
    }

    [JpegToolsFact]
    public void A_frame_larger_than_the_pixel_budget_is_refused_before_decoding()
    {
        var jpeg = JpegTools.Cjpeg(TestPhotos.Make(64, 64));

        var error = Assert.Throws<ImageTooLargeException>(() => ImageCodec.Decode(jpeg, maxPixels: 64 * 63));

        Assert.Equal(64, error.Width);
    }

    [Fact]
    public void A_frame_of_65535_squared_is_refused_from_its_header()
    {
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xC0, 0, 17, 8, 0xFF, 0xFF, 0xFF, 0xFF, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9];

        Assert.Throws<ImageTooLargeException>(() => ImageCodec.Decode(jpeg));
    }

    [JpegToolsFact]
    public void A_truncated_file_is_refused_rather_than_padded()
    {
        var jpeg = JpegTools.Cjpeg(TestPhotos.Make(64, 64), "-sample", "1x1");
        Assert.Equal((64, 64), (ImageCodec.Decode(jpeg).Width, 64));

        var error = Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(jpeg.AsSpan(0, jpeg.Length * 2 / 3)));

        Assert.Equal("The JPEG file could not be decoded: its data is truncated or corrupt.", error.Message);
    }

    [JpegToolsFact]
    public void A_missing_restart_marker_is_resynchronised_instead_of_failing()
    {
        var jpeg = JpegTools.Cjpeg(TestPhotos.Make(64, 32), "-restart", "1B", "-sample", "1x1");
        var rst = jpeg.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD3]);
        jpeg[rst + 1] = 0xD5;

        var decoded = ImageCodec.Decode(jpeg);

        Assert.Equal((64, 32), (decoded.Width, decoded.Height));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8 })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0 })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0, 8, 0, 8, 1, 1, 0x11, 0, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0, 0xFF, 0xD9 })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0, 0, 0, 8, 1, 1, 0x11, 0 })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xC4, 0, 19, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2 })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xC0, 0, 11, 8, 0, 8, 0, 8, 2, 1, 0x11, 0 })]
    public void Malformed_streams_end_in_a_decode_exception(byte[] data)
    {
        var error = Assert.ThrowsAny<ImageDecodeException>(() => ImageCodec.Decode(data));

        Assert.Contains("JPEG", error.Message);
    }

    internal static byte[] WithExifOrientation(byte[] jpeg, int orientation, bool bigEndian)
    {
        var tiff = new byte[26];
        "MM\0*"u8.CopyTo(tiff);
        if (!bigEndian)
        {
            "II*\0"u8.CopyTo(tiff);
        }

        void U16(int at, int value)
        {
            if (bigEndian)
            {
                BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(at), (ushort)value);
            }
            else
            {
                BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(at), (ushort)value);
            }
        }

        U16(bigEndian ? 6 : 4, 8);
        U16(8, 1);
        U16(10, 0x0112);
        U16(12, 3);
        U16(bigEndian ? 16 : 14, 1);
        U16(18, orientation);
        return Insert(jpeg, App1([.. "Exif\0\0"u8, .. tiff]));
    }

    private static byte[] App1(byte[] payload)
    {
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment, 4);
        return segment;
    }

    // After SOI, before everything else.
    private static byte[] Insert(byte[] jpeg, byte[] segment) => [.. jpeg.AsSpan(0, 2), .. segment, .. jpeg.AsSpan(2)];
}
