using System.IO.Compression;

namespace Easel.Imaging.Tests.Codecs;

public sealed class PngEncodingTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(9)]
    public void Encoded_png_decodes_to_the_same_pixels_at_every_compression_level(int level)
    {
        var image = Gradient(37, 23);

        var decoded = ImageCodec.Decode(ImageCodec.EncodePng(image, level));

        Assert.Equal(image.Pixels, decoded.Pixels);
    }

    [Fact]
    public void Encoded_png_has_valid_chunk_crcs_and_an_rgba8_header()
    {
        var file = ImageCodec.EncodePng(Gradient(5, 3));
        var offset = 8;
        var types = new List<string>();
        while (offset < file.Length)
        {
            var length = (int)TestPng.ReadBigEndian(file, offset);
            types.Add(System.Text.Encoding.ASCII.GetString(file, offset + 4, 4));
            Assert.Equal(TestPng.Crc(file.AsSpan(offset + 4, length + 4)), TestPng.ReadBigEndian(file, offset + 8 + length));
            offset += length + 12;
        }

        Assert.Equal(["IHDR", "IDAT", "IEND"], types);
        Assert.Equal(5u, TestPng.ReadBigEndian(file, 16));
        Assert.Equal(3u, TestPng.ReadBigEndian(file, 20));
        Assert.Equal(8, file[24]);
        Assert.Equal(6, file[25]);
    }

    [Fact]
    public void Encoder_picks_a_predicting_filter_for_smooth_rows()
    {
        var file = ImageCodec.EncodePng(Gradient(64, 4), 6);
        var idatLength = (int)TestPng.ReadBigEndian(file, 33);
        using var z = new ZLibStream(new MemoryStream(file, 41, idatLength), CompressionMode.Decompress);
        var raw = new byte[4 * (1 + (64 * 4))];
        z.ReadExactly(raw);

        for (var row = 0; row < 4; row++)
        {
            Assert.NotEqual(0, raw[row * (1 + (64 * 4))]);
        }
    }

    [Fact]
    public void Higher_compression_levels_are_not_larger_than_no_compression()
    {
        var image = Gradient(100, 100);

        Assert.True(ImageCodec.EncodePng(image, 9).Length < ImageCodec.EncodePng(image, 0).Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(9)]
    public void The_level_is_zlibs_own_level_as_its_header_reports(int level)
    {
        var file = ImageCodec.EncodePng(Gradient(64, 64), level);

        // zlib header FLEVEL (RFC 1950): 0 = levels 0-1, 1 = 2-5, 2 = 6, 3 = 7-9.
        var flevel = file[41 + 1] >> 6;
        Assert.Equal(level switch { <= 1 => 0, <= 5 => 1, 6 => 2, _ => 3 }, flevel);
    }

    [Fact]
    public void Each_level_from_0_to_9_round_trips_and_9_is_no_larger_than_1()
    {
        var image = Gradient(120, 90);
        var sizes = new int[10];
        for (var level = 0; level <= 9; level++)
        {
            var file = ImageCodec.EncodePng(image, level);
            Assert.Equal(image.Pixels, ImageCodec.Decode(file).Pixels);
            sizes[level] = file.Length;
        }

        Assert.True(sizes[9] <= sizes[1], string.Join(", ", sizes));
        Assert.True(sizes[1] < sizes[0]);
    }

    [Fact]
    public void Rows_of_noise_and_of_gradients_round_trip_through_every_filter()
    {
        var image = new RgbaImage(97, 40);
        new Random(4).NextBytes(image.Pixels.AsSpan(0, 97 * 4 * 20));
        var smooth = Gradient(97, 20);
        smooth.Pixels.CopyTo(image.Pixels, 97 * 4 * 20);

        Assert.Equal(image.Pixels, ImageCodec.Decode(ImageCodec.EncodePng(image)).Pixels);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10)]
    public void Compression_level_outside_0_to_9_is_rejected(int level)
        => Assert.Throws<ArgumentOutOfRangeException>(() => ImageCodec.EncodePng(Gradient(2, 2), level));

    internal static RgbaImage Gradient(int width, int height)
    {
        var image = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var p = ((y * width) + x) * 4;
                image.Pixels[p] = (byte)(x * 3);
                image.Pixels[p + 1] = (byte)(y * 5);
                image.Pixels[p + 2] = (byte)(x + y);
                image.Pixels[p + 3] = (byte)(255 - x);
            }
        }

        return image;
    }
}
