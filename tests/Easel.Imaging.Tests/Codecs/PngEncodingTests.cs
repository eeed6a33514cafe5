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
