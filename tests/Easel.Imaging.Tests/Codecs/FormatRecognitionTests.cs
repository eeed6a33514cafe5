namespace Easel.Imaging.Tests.Codecs;

public sealed class FormatRecognitionTests
{
    public static TheoryData<string, ImageFormat, int, int> OtherFormats => new()
    {
        { nameof(Jpeg), ImageFormat.Jpeg, 640, 480 },
        { nameof(Gif), ImageFormat.Gif, 320, 200 },
        { nameof(WebPLossy), ImageFormat.WebP, 1000, 750 },
        { nameof(WebPLossless), ImageFormat.WebP, 123, 45 },
        { nameof(WebPExtended), ImageFormat.WebP, 4000, 3000 },
        { nameof(Bmp), ImageFormat.Bmp, 64, 32 },
        { nameof(TiffLittleEndian), ImageFormat.Tiff, 800, 600 },
        { nameof(TiffBigEndian), ImageFormat.Tiff, 70000, 2 },
        { nameof(Avif), ImageFormat.Avif, 1920, 1080 },
        { nameof(Heic), ImageFormat.Heic, 4032, 3024 },
    };

    [Theory]
    [MemberData(nameof(OtherFormats))]
    public void Each_other_format_is_sniffed_and_identified_from_its_header(string sample, ImageFormat format, int width, int height)
    {
        var data = Sample(sample);

        Assert.Equal(format, ImageCodec.Sniff(data));
        Assert.Equal(new ImageInfo(format, width, height), ImageCodec.Identify(data));
    }

    public static TheoryData<string, ImageFormat> UndecodableFormats => new()
    {
        { nameof(Bmp), ImageFormat.Bmp },
        { nameof(Heic), ImageFormat.Heic },
    };

    [Theory]
    [MemberData(nameof(UndecodableFormats))]
    public void Decoding_a_format_without_a_decoder_is_unsupported_and_the_message_names_it_and_the_supported_ones(string sample, ImageFormat format)
    {
        var error = Assert.Throws<UnsupportedImageFormatException>(() => ImageCodec.Decode(Sample(sample)));

        Assert.Equal(format, error.Format);
        Assert.Contains(format.ToString().ToUpperInvariant(), error.Message);
        Assert.Contains("supported formats: PNG, JPEG, WebP, GIF, AVIF, TIFF", error.Message);
    }

    public static TheoryData<string, string> DecodableHeadersWithoutPixels => new()
    {
        { nameof(Gif), "GIF" },
        { nameof(WebPLossy), "WebP" },
        { nameof(WebPLossless), "WebP" },
        { nameof(TiffLittleEndian), "TIFF" },
        { nameof(Avif), "AVIF" },
    };

    [Theory]
    [MemberData(nameof(DecodableHeadersWithoutPixels))]
    public void A_header_of_a_decoded_format_without_its_pixels_is_a_decode_error_naming_the_format(string sample, string name)
    {
        var error = Assert.ThrowsAny<ImageDecodeException>(() => ImageCodec.Decode(Sample(sample)));

        Assert.IsNotType<UnsupportedImageFormatException>(error);
        Assert.StartsWith($"The {name} file could not be", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_jpeg_header_without_scan_data_is_decoded_and_found_malformed()
    {
        var error = Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(Jpeg()));

        Assert.IsNotType<UnsupportedImageFormatException>(error);
        Assert.Contains("JPEG", error.Message);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 })]
    [InlineData(new byte[] { (byte)'<', (byte)'h', (byte)'t', (byte)'m', (byte)'l', (byte)'>' })]
    public void Bytes_with_no_known_signature_are_not_an_image(byte[] data)
    {
        Assert.Equal(ImageFormat.Unknown, ImageCodec.Sniff(data));
        Assert.Contains("not an image", Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(data)).Message);
        Assert.Contains("not an image", Assert.Throws<ImageDecodeException>(() => ImageCodec.Identify(data)).Message);
    }

    [Fact]
    public void Mp4_ftyp_without_an_image_brand_is_not_an_image()
    {
        byte[] mp4 = [0, 0, 0, 24, .. "ftypisom"u8, 0, 0, 2, 0, .. "isomiso2"u8];

        Assert.Equal(ImageFormat.Unknown, ImageCodec.Sniff(mp4));
    }

    [Fact]
    public void Generic_heif_brand_with_an_avif_compatible_brand_is_avif()
    {
        byte[] data = [0, 0, 0, 24, .. "ftypmif1"u8, 0, 0, 0, 0, .. "mif1avif"u8];

        Assert.Equal(ImageFormat.Avif, ImageCodec.Sniff(data));
    }

    [Theory]
    [MemberData(nameof(OtherFormats))]
    public void Every_truncated_header_identifies_or_throws_a_decode_error(string sample, ImageFormat format, int width, int height)
    {
        _ = (format, width, height);
        var data = Sample(sample);

        for (var length = 0; length < data.Length; length++)
        {
            var exception = Record.Exception(() => ImageCodec.Identify(data.AsSpan(0, length)));
            Assert.True(exception is null or ImageDecodeException, $"length {length}: {exception}");
        }
    }

    [Fact]
    public void Jpeg_without_a_frame_header_before_the_scan_cannot_be_identified()
    {
        byte[] data = [0xFF, 0xD8, 0xFF, 0xDA, 0, 2];

        Assert.Throws<ImageDecodeException>(() => ImageCodec.Identify(data));
    }

    private static byte[] Sample(string name) => name switch
    {
        nameof(Jpeg) => Jpeg(),
        nameof(Gif) => Gif(),
        nameof(WebPLossy) => WebPLossy(),
        nameof(WebPLossless) => WebPLossless(),
        nameof(WebPExtended) => WebPExtended(),
        nameof(Bmp) => Bmp(),
        nameof(TiffLittleEndian) => TiffLittleEndian(),
        nameof(TiffBigEndian) => TiffBigEndian(),
        nameof(Avif) => Avif(),
        _ => Heic(),
    };

    // SOI, APP0 (JFIF, 16 bytes), fill bytes, SOF2 (progressive) 480x640.
    private static byte[] Jpeg() =>
    [
        0xFF, 0xD8,
        0xFF, 0xE0, 0x00, 0x10, .. "JFIF\0"u8, 1, 1, 0, 0, 1, 0, 1, 0, 0,
        0xFF, 0xFF, 0xC2, 0x00, 0x11, 8, 0x01, 0xE0, 0x02, 0x80, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
        0xFF, 0xDA,
    ];

    private static byte[] Gif() => [.. "GIF89a"u8, 0x40, 0x01, 0xC8, 0x00, 0xF7, 0, 0];

    private static byte[] WebPLossy() =>
    [
        .. "RIFF"u8, 100, 0, 0, 0, .. "WEBP"u8, .. "VP8 "u8, 80, 0, 0, 0,
        0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A, 0xE8, 0x03, 0xEE, 0x02,
    ];

    // 14-bit width-1 and height-1 packed little-endian after the 0x2F signature.
    private static byte[] WebPLossless()
    {
        var bits = (uint)((123 - 1) | ((45 - 1) << 14));
        return [.. "RIFF"u8, 100, 0, 0, 0, .. "WEBP"u8, .. "VP8L"u8, 80, 0, 0, 0, 0x2F, (byte)bits, (byte)(bits >> 8), (byte)(bits >> 16), (byte)(bits >> 24)];
    }

    private static byte[] WebPExtended() =>
    [
        .. "RIFF"u8, 100, 0, 0, 0, .. "WEBP"u8, .. "VP8X"u8, 10, 0, 0, 0,
        0x10, 0, 0, 0, 0x9F, 0x0F, 0x00, 0xB7, 0x0B, 0x00,
    ];

    private static byte[] Bmp() =>
    [
        .. "BM"u8, 0, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0,
        40, 0, 0, 0, 64, 0, 0, 0, 0xE0, 0xFF, 0xFF, 0xFF, 1, 0, 32, 0,
    ];

    // Classic little-endian TIFF: IFD at 8 with ImageWidth (SHORT) and ImageLength (LONG).
    private static byte[] TiffLittleEndian() =>
    [
        .. "II"u8, 42, 0, 8, 0, 0, 0,
        2, 0,
        0x00, 0x01, 3, 0, 1, 0, 0, 0, 0x20, 0x03, 0, 0,
        0x01, 0x01, 4, 0, 1, 0, 0, 0, 0x58, 0x02, 0, 0,
        0, 0, 0, 0,
    ];

    // Big-endian BigTIFF: IFD at 16 with LONG8 entries.
    private static byte[] TiffBigEndian() =>
    [
        .. "MM"u8, 0, 43, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16,
        0, 0, 0, 0, 0, 0, 0, 2,
        0x01, 0x00, 0, 16, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0x11, 0x70,
        0x01, 0x01, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0,
    ];

    // ftyp, then a thumbnail-sized and a full-sized ispe property.
    private static byte[] Avif() =>
    [
        0, 0, 0, 20, .. "ftypavif"u8, 0, 0, 0, 0, .. "mif1"u8,
        0, 0, 0, 20, .. "ispe"u8, 0, 0, 0, 0, 0, 0, 0, 160, 0, 0, 0, 90,
        0, 0, 0, 20, .. "ispe"u8, 0, 0, 0, 0, 0, 0, 0x07, 0x80, 0, 0, 0x04, 0x38,
    ];

    private static byte[] Heic() =>
    [
        0, 0, 0, 24, .. "ftypmif1"u8, 0, 0, 0, 0, .. "mif1heic"u8,
        0, 0, 0, 20, .. "ispe"u8, 0, 0, 0, 0, 0, 0, 0x0F, 0xC0, 0, 0, 0x0B, 0xD0,
    ];
}
