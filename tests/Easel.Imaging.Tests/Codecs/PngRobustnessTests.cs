using System.IO.Compression;

namespace Easel.Imaging.Tests.Codecs;

public sealed class PngRobustnessTests
{
    [Fact]
    public void Corrupted_chunk_crc_is_a_decode_error()
    {
        var file = PngDecodingTests.RandomPng(6, 8, 8, 8, false, 1).Build();
        file[8 + 8 + 13] ^= 0x01; // the IHDR CRC

        var error = Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(file));
        Assert.StartsWith("The PNG file could not be", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupted_pixel_data_byte_is_caught_by_the_idat_crc()
    {
        var file = PngDecodingTests.RandomPng(6, 8, 8, 8, false, 1).Build();
        file[8 + 25 + 10] ^= 0x40; // inside the first IDAT's data

        Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(file));
    }

    [Fact]
    public void Every_truncation_of_a_valid_png_is_a_decode_error_unless_only_iend_is_lost()
    {
        var file = PngDecodingTests.RandomPng(3, 4, 9, 9, true, 2).Build();
        var whole = ImageCodec.Decode(file).Pixels;

        // IEND is the last 12 bytes: a file cut inside it has every pixel and decodes whole, as libpng reads it.
        for (var length = 0; length < file.Length - 12; length++)
        {
            var exception = Record.Exception(() => ImageCodec.Decode(file.AsSpan(0, length)));
            Assert.IsAssignableFrom<ImageDecodeException>(exception);
        }

        for (var length = file.Length - 12; length < file.Length; length++)
        {
            Assert.Equal(whole, ImageCodec.Decode(file.AsSpan(0, length)).Pixels);
        }
    }

    [Fact]
    public void Image_data_shorter_than_the_header_implies_is_a_decode_error()
    {
        var png = PngDecodingTests.RandomPng(6, 8, 8, 8, false, 1);
        var scanlines = png.Scanlines();

        var error = Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(png.BuildWithScanlines(scanlines[..^5])));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void Invalid_filter_type_is_a_decode_error()
    {
        var png = PngDecodingTests.RandomPng(6, 8, 8, 8, false, 1);
        var scanlines = png.Scanlines();
        scanlines[0] = 5;

        Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(png.BuildWithScanlines(scanlines)));
    }

    [Fact]
    public void Idat_that_is_not_zlib_is_a_decode_error_with_libvips_cause_inside()
    {
        var file = TestPng.File([("IHDR", Ihdr(4, 4, 8, 6)), ("IDAT", [1, 2, 3, 4, 5, 6, 7, 8]), ("IEND", [])]);

        var error = Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(file));
        Assert.Equal("The PNG file could not be decoded: its data is truncated or corrupt.", error.Message);
        Assert.IsType<NetVips.VipsException>(error.InnerException);
    }

    [Fact]
    public void Header_declaring_100000_by_100000_pixels_is_refused_before_any_pixel_buffer_is_allocated()
    {
        var file = TestPng.File([("IHDR", Ihdr(100_000, 100_000, 8, 6)), ("IDAT", [0x78, 0x9C, 0x03, 0x00]), ("IEND", [])]);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ImageTooLargeException>(() => ImageCodec.Decode(file));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(100_000, error.Width);
        Assert.True(allocated < 256 * 1024, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData(10_000, 10_000, ImageLimits.MaxPixels)]
    [InlineData(70_000, 10, ImageLimits.MaxPixels)]
    [InlineData(100, 100, 9_999)]
    public void Header_over_the_pixel_or_side_limit_is_too_large(int width, int height, long maxPixels)
    {
        var file = TestPng.File([("IHDR", Ihdr(width, height, 8, 6)), ("IDAT", [0x78, 0x9C, 0x03, 0x00]), ("IEND", [])]);

        Assert.Throws<ImageTooLargeException>(() => ImageCodec.Decode(file, maxPixels));
    }

    [Fact]
    public void A_zip_bomb_stops_inflating_once_the_image_is_complete()
    {
        // A 1x1 image followed by 64 MB of zeros in the same zlib stream.
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            z.Write([0, 1, 2, 3, 4]);
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 64; i++)
            {
                z.Write(zeros);
            }
        }

        var file = TestPng.File([("IHDR", Ihdr(1, 1, 8, 6)), ("IDAT", compressed.ToArray()), ("IEND", [])]);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var image = ImageCodec.Decode(file);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, image.Pixels);
        Assert.True(allocated < 4 * 1024 * 1024, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(2, 4)]
    [InlineData(3, 16)]
    [InlineData(7, 8)]
    public void Invalid_colour_type_and_bit_depth_combinations_are_decode_errors(int colorType, int bitDepth)
    {
        var file = TestPng.File([("IHDR", Ihdr(4, 4, bitDepth, colorType)), ("IDAT", [0x78, 0x9C, 0x03, 0x00]), ("IEND", [])]);

        Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(file));
    }

    [Fact]
    public void Missing_iend_after_complete_image_data_decodes_whole()
    {
        var file = PngDecodingTests.RandomPng(6, 8, 4, 4, false, 1).Build();

        Assert.Equal(ImageCodec.Decode(file).Pixels, ImageCodec.Decode(file.AsSpan(0, file.Length - 12)).Pixels);
    }

    [Fact]
    public void Random_mutations_of_valid_pngs_only_ever_throw_image_decode_exceptions()
    {
        var random = new Random(20240601);
        byte[][] bases =
        [
            PngDecodingTests.RandomPng(6, 8, 12, 10, false, 1).Build(),
            PngDecodingTests.RandomPng(3, 2, 12, 10, true, 2).Build(),
            PngDecodingTests.RandomPng(0, 16, 7, 5, true, 3).Build(),
            PngDecodingTests.RandomPng(2, 8, 9, 3, false, 4).Build(),
        ];
        var started = Environment.TickCount64;
        var decoded = 0;

        for (var i = 0; i < 2000 && Environment.TickCount64 - started < 5000; i++)
        {
            var file = (byte[])bases[random.Next(bases.Length)].Clone();
            var mutations = 1 + random.Next(4);
            for (var m = 0; m < mutations; m++)
            {
                file[random.Next(8, file.Length)] = random.Next(3) == 0 ? (byte)(file[random.Next(file.Length)] ^ (1 << random.Next(8))) : (byte)random.Next(256);
            }

            if (random.Next(4) == 0)
            {
                file = file[..random.Next(file.Length)];
            }

            // Most mutations would stop at the CRC check; fixing the CRCs lets them reach the header and pixel code.
            if (random.Next(2) == 0)
            {
                TestPng.FixCrcs(file);
            }

            var exception = Record.Exception(() => ImageCodec.Decode(file));
            if (exception is null)
            {
                decoded++;
            }
            else
            {
                Assert.True(exception is ImageDecodeException, $"mutation {i}: {exception}");
            }
        }

        Assert.True(decoded < 2000);
    }

    [Fact]
    public void Random_mutations_of_the_decompressed_scanlines_only_ever_throw_image_decode_exceptions()
    {
        var random = new Random(99);
        var png = PngDecodingTests.RandomPng(3, 4, 11, 6, true, 5);
        var clean = png.Scanlines();

        for (var i = 0; i < 300; i++)
        {
            var scanlines = (byte[])clean.Clone();
            scanlines[random.Next(scanlines.Length)] = (byte)random.Next(256);
            var exception = Record.Exception(() => ImageCodec.Decode(png.BuildWithScanlines(scanlines)));
            Assert.True(exception is null or ImageDecodeException, $"mutation {i}: {exception}");
        }
    }

    internal static byte[] Ihdr(int width, int height, int bitDepth, int colorType)
    {
        var ihdr = new byte[13];
        TestPng.WriteBigEndian(ihdr, 0, (uint)width);
        TestPng.WriteBigEndian(ihdr, 4, (uint)height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colorType;
        return ihdr;
    }
}
