using System.Buffers.Binary;
using System.IO.Compression;

namespace Easel.Imaging.Tests.Codecs.Formats;

// Files made to exhaust memory or time: each ends in an ImageDecodeException that names the problem, before the
// pixels it threatens exist.
public sealed class HostileInputTests
{
    [Fact]
    public void A_30000_square_png_of_a_few_kilobytes_is_refused_from_its_header()
    {
        // Real deflate data for the first 64 rows of zeros (the rest would inflate to 3.6 GB).
        using var idat = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[1 + (30_000 * 4)];
            for (var y = 0; y < 64; y++)
            {
                zlib.Write(row);
            }
        }

        var file = TestPng.File([("IHDR", PngRobustnessTests.Ihdr(30_000, 30_000, 8, 6)), ("IDAT", idat.ToArray()), ("IEND", [])]);
        Assert.True(file.Length < 32 * 1024, $"{file.Length} bytes");

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ImageTooLargeException>(() => ImageCodec.Decode(file));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 256 * 1024);
        Assert.Equal("The image is 30000x30000 pixels; at most 40000000 pixels and 65535 per side are allowed.", error.Message);
    }

    [Fact]
    public void A_gif_with_a_huge_logical_screen_is_refused_from_its_header()
    {
        byte[] gif = [.. "GIF89a"u8, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0, 0, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4C, 0x01, 0, 0x3B];

        var error = Assert.Throws<ImageTooLargeException>(() => ImageCodec.Decode(gif));

        Assert.Equal(65535, error.Width);
    }

    [FormatToolsFact]
    public void A_gif_frame_larger_than_its_small_screen_decodes_no_more_than_the_screen()
    {
        var gif = FormatSamples.Gif(FormatSamples.Palette(40, 30));
        // The image descriptor (0x2C) declares a 60000x60000 frame inside the 40x30 screen.
        var descriptor = gif.AsSpan().IndexOf((byte)0x2C);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(descriptor + 5), 60_000);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(descriptor + 7), 60_000);

        var exception = Record.Exception(() =>
        {
            var decoded = ImageCodec.Decode(gif);
            Assert.Equal((40, 30), (decoded.Width, decoded.Height));
        });

        Assert.True(exception is null or ImageDecodeException, exception?.ToString());
    }

    [FormatToolsFact]
    public void An_avif_whose_size_property_claims_a_gigapixel_is_refused_from_its_header()
    {
        var avif = FormatSamples.Avif(FormatSamples.Opaque(64, 48));
        var ispe = avif.AsSpan().IndexOf("ispe"u8);
        BinaryPrimitives.WriteUInt32BigEndian(avif.AsSpan(ispe + 8), 40_000);
        BinaryPrimitives.WriteUInt32BigEndian(avif.AsSpan(ispe + 12), 30_000);

        Assert.Throws<ImageTooLargeException>(() => ImageCodec.Decode(avif));
    }

    [FormatToolsFact]
    public void An_avif_whose_size_property_understates_its_pixels_is_refused_or_decoded_at_the_stated_size()
    {
        var avif = FormatSamples.Avif(FormatSamples.Opaque(64, 48));
        var ispe = avif.AsSpan().IndexOf("ispe"u8);
        BinaryPrimitives.WriteUInt32BigEndian(avif.AsSpan(ispe + 8), 16);
        BinaryPrimitives.WriteUInt32BigEndian(avif.AsSpan(ispe + 12), 16);

        var exception = Record.Exception(() =>
        {
            var decoded = ImageCodec.Decode(avif);
            Assert.True(decoded.Width * decoded.Height <= 64 * 48);
        });

        Assert.True(exception is null or ImageDecodeException, exception?.ToString());
    }

    [Fact]
    public void A_webp_canvas_of_16383_squared_is_refused_from_its_header()
    {
        byte[] webp = [.. "RIFF"u8, 100, 0, 0, 0, .. "WEBP"u8, .. "VP8X"u8, 10, 0, 0, 0, 0x10, 0, 0, 0, 0xFE, 0x3F, 0x00, 0xFE, 0x3F, 0x00];

        var error = Assert.Throws<ImageTooLargeException>(() => ImageCodec.Decode(webp));

        Assert.Equal(16383, error.Width);
    }

    [Fact]
    public void A_tiff_wider_than_65535_is_refused_from_its_header()
    {
        byte[] tiff =
        [
            .. "II"u8, 42, 0, 8, 0, 0, 0, 2, 0,
            0x00, 0x01, 4, 0, 1, 0, 0, 0, 0x70, 0x11, 0x01, 0,
            0x01, 0x01, 4, 0, 1, 0, 0, 0, 2, 0, 0, 0,
            0, 0, 0, 0,
        ];

        Assert.Throws<ImageTooLargeException>(() => ImageCodec.Decode(tiff));
    }

    [Fact]
    public void Svg_and_other_formats_libvips_could_load_are_not_an_image_to_easel()
    {
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>"u8.ToArray();

        Assert.Contains("not an image", Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(svg)).Message);
    }
}
