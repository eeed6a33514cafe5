namespace Easel.Imaging.Tests.Codecs;

public sealed class PngDecodingTests
{
    public static TheoryData<int, int> ColourTypesAndDepths => new()
    {
        { 0, 1 }, { 0, 2 }, { 0, 4 }, { 0, 8 }, { 0, 16 },
        { 2, 8 }, { 2, 16 },
        { 3, 1 }, { 3, 2 }, { 3, 4 }, { 3, 8 },
        { 4, 8 }, { 4, 16 },
        { 6, 8 }, { 6, 16 },
    };

    [Theory]
    [MemberData(nameof(ColourTypesAndDepths))]
    public void Png_of_every_colour_type_and_bit_depth_decodes_to_the_expected_pixels(int colorType, int bitDepth)
    {
        var png = RandomPng(colorType, bitDepth, width: 13, height: 7, interlaced: false, seed: colorType * 100 + bitDepth);

        var image = ImageCodec.Decode(png.Build());

        Assert.Equal(13, image.Width);
        Assert.Equal(7, image.Height);
        Assert.Equal(Expected(png), image.Pixels);
    }

    [Theory]
    [MemberData(nameof(ColourTypesAndDepths))]
    public void Png_with_adam7_interlace_decodes_to_the_same_pixels(int colorType, int bitDepth)
    {
        // 19x11 leaves some passes with partial and some with empty rows.
        var interlaced = RandomPng(colorType, bitDepth, width: 19, height: 11, interlaced: true, seed: 7 + colorType + bitDepth);
        var flat = new TestPng
        {
            Width = 19, Height = 11, BitDepth = bitDepth, ColorType = colorType, Samples = interlaced.Samples,
            Palette = interlaced.Palette, Transparency = interlaced.Transparency,
        };

        var fromInterlaced = ImageCodec.Decode(interlaced.Build());

        Assert.Equal(Expected(interlaced), fromInterlaced.Pixels);
        Assert.Equal(ImageCodec.Decode(flat.Build()).Pixels, fromInterlaced.Pixels);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 9)]
    [InlineData(2, 2)]
    [InlineData(9, 1)]
    public void Tiny_interlaced_images_where_most_passes_are_empty_decode(int width, int height)
    {
        var png = RandomPng(6, 8, width, height, interlaced: true, seed: width * 31 + height);

        Assert.Equal(Expected(png), ImageCodec.Decode(png.Build()).Pixels);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_row_filter_is_reversed_exactly(int filter)
    {
        var png = RandomPng(6, 8, 17, 9, interlaced: false, seed: filter) with { FilterForRow = _ => filter };

        Assert.Equal(Expected(png), ImageCodec.Decode(png.Build()).Pixels);
    }

    [Fact]
    public void Palette_with_partial_transparency_gives_alpha_from_trns_and_opaque_beyond_it()
    {
        var palette = new byte[] { 255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30 };
        var png = new TestPng
        {
            Width = 4, Height = 1, BitDepth = 2, ColorType = 3, Samples = [0, 1, 2, 3],
            Palette = palette, Transparency = [0, 128],
        };

        var pixels = ImageCodec.Decode(png.Build()).Pixels;

        Assert.Equal(new byte[] { 255, 0, 0, 0, 0, 255, 0, 128, 0, 0, 255, 255, 10, 20, 30, 255 }, pixels);
    }

    [Fact]
    public void Grey_transparency_key_makes_only_matching_samples_transparent()
    {
        var png = new TestPng { Width = 3, Height = 1, BitDepth = 16, ColorType = 0, Samples = [0x1234, 0x1235, 0xFFFF], Transparency = [0x12, 0x34] };

        var pixels = ImageCodec.Decode(png.Build()).Pixels;

        Assert.Equal(new byte[] { 0x12, 0x12, 0x12, 0, 0x12, 0x12, 0x12, 255, 255, 255, 255, 255 }, pixels);
    }

    [Fact]
    public void Rgb_transparency_key_makes_only_matching_pixels_transparent()
    {
        var png = new TestPng { Width = 2, Height = 1, BitDepth = 8, ColorType = 2, Samples = [1, 2, 3, 1, 2, 4], Transparency = [0, 1, 0, 2, 0, 3] };

        var pixels = ImageCodec.Decode(png.Build()).Pixels;

        Assert.Equal(new byte[] { 1, 2, 3, 0, 1, 2, 4, 255 }, pixels);
    }

    [Fact]
    public void Image_data_split_over_many_idat_chunks_decodes()
    {
        var png = RandomPng(2, 8, 20, 20, interlaced: false, seed: 5) with { IdatChunks = 9 };

        Assert.Equal(Expected(png), ImageCodec.Decode(png.Build()).Pixels);
    }

    [Fact]
    public void Unknown_ancillary_chunks_are_skipped()
    {
        var png = RandomPng(6, 8, 4, 4, interlaced: false, seed: 3);
        png.ExtraChunks.Add(("tEXt", "Comment\0hello"u8.ToArray()));
        png.ExtraChunks.Add(("zzZz", [1, 2, 3]));

        Assert.Equal(Expected(png), ImageCodec.Decode(png.Build()).Pixels);
    }

    [Fact]
    public void Unknown_critical_chunk_is_rejected()
    {
        var png = RandomPng(6, 8, 4, 4, interlaced: false, seed: 3);
        png.ExtraChunks.Add(("ZZZZ", [1, 2, 3]));

        var error = Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(png.Build()));
        Assert.StartsWith("The PNG file could not be", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Palette_index_beyond_the_palette_is_opaque_black_as_libpng_reads_it()
    {
        var png = new TestPng { Width = 2, Height = 1, BitDepth = 8, ColorType = 3, Samples = [0, 2], Palette = [1, 2, 3, 4, 5, 6] };

        Assert.Equal(new byte[] { 1, 2, 3, 255, 0, 0, 0, 255 }, ImageCodec.Decode(png.Build()).Pixels);
    }

    [Fact]
    public void Indexed_png_without_a_palette_is_a_decode_error()
    {
        var png = new TestPng { Width = 2, Height = 1, BitDepth = 8, ColorType = 3, Samples = [0, 0] };

        Assert.Throws<ImageDecodeException>(() => ImageCodec.Decode(png.Build()));
    }

    [Fact]
    public void Identify_reads_the_size_from_ihdr()
    {
        var png = RandomPng(2, 16, 300, 2, interlaced: false, seed: 1);

        Assert.Equal(new ImageInfo(ImageFormat.Png, 300, 2), ImageCodec.Identify(png.Build()));
    }

    [Fact]
    public void An_apng_decodes_as_its_default_image_and_skips_the_animation_chunks()
    {
        var png = RandomPng(6, 8, 9, 7, false, 11);
        var expected = ImageCodec.Decode(png.Build());
        byte[] acTL = [0, 0, 0, 2, 0, 0, 0, 0];
        byte[] fcTL = [0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 10, 0, 0];
        png.ExtraChunks.Add(("acTL", acTL));
        png.ExtraChunks.Add(("fcTL", fcTL));
        var file = png.Build();

        // A second frame after the IDAT: fcTL (sequence 1) and fdAT (sequence 2) with arbitrary frame data.
        var iend = file.Length - 12;
        byte[] secondFrame = [.. TestPng.Chunk("fcTL", [0, 0, 0, 1, .. fcTL[4..]]), .. TestPng.Chunk("fdAT", [0, 0, 0, 2, 0x78, 0x9C, 1, 2, 3])];
        var apng = (byte[])[.. file.AsSpan(0, iend), .. secondFrame, .. file.AsSpan(iend)];

        Assert.Equal(expected.Pixels, ImageCodec.Decode(apng).Pixels);
    }

    internal static TestPng RandomPng(int colorType, int bitDepth, int width, int height, bool interlaced, int seed)
    {
        var random = new Random(seed);
        var channels = colorType switch { 0 or 3 => 1, 4 => 2, 2 => 3, _ => 4 };
        var max = colorType == 3 ? Math.Min(1 << bitDepth, 200) : 1 << bitDepth;
        var samples = new int[width * height * channels];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = random.Next(max);
        }

        byte[]? palette = null, transparency = null;
        if (colorType == 3)
        {
            palette = new byte[max * 3];
            random.NextBytes(palette);
            transparency = new byte[max / 2];
            random.NextBytes(transparency);
        }
        else if (colorType is 0 or 2)
        {
            // Key one of the samples that occur, so the key really matches some pixels.
            transparency = new byte[channels * 2];
            for (var c = 0; c < channels; c++)
            {
                transparency[2 * c] = (byte)(samples[c] >> 8);
                transparency[(2 * c) + 1] = (byte)samples[c];
            }
        }

        return new TestPng
        {
            Width = width, Height = height, BitDepth = bitDepth, ColorType = colorType, Samples = samples,
            Interlaced = interlaced, Palette = palette, Transparency = transparency,
        };
    }

    internal static byte[] Expected(TestPng png)
    {
        var rgba = new byte[png.Width * png.Height * 4];
        var channels = png.Channels;
        int Eight(int sample) => png.BitDepth switch
        {
            // Rounded to the nearest 8-bit level (round(v * 255 / 65535)), not truncated by a shift.
            16 => ((sample * 255) + 32767) / 65535,
            8 => sample,
            _ => sample * 255 / ((1 << png.BitDepth) - 1),
        };

        int Key(int c) => (png.Transparency![2 * c] << 8) | png.Transparency[(2 * c) + 1];

        for (var p = 0; p < png.Width * png.Height; p++)
        {
            var s = png.Samples.AsSpan(p * channels, channels);
            var o = p * 4;
            switch (png.ColorType)
            {
                case 0:
                    rgba[o] = rgba[o + 1] = rgba[o + 2] = (byte)Eight(s[0]);
                    rgba[o + 3] = png.Transparency is { Length: 2 } && s[0] == Key(0) ? (byte)0 : (byte)255;
                    break;
                case 2:
                    rgba[o] = (byte)Eight(s[0]);
                    rgba[o + 1] = (byte)Eight(s[1]);
                    rgba[o + 2] = (byte)Eight(s[2]);
                    rgba[o + 3] = png.Transparency is { Length: 6 } && s[0] == Key(0) && s[1] == Key(1) && s[2] == Key(2) ? (byte)0 : (byte)255;
                    break;
                case 3:
                    rgba[o] = png.Palette![s[0] * 3];
                    rgba[o + 1] = png.Palette[(s[0] * 3) + 1];
                    rgba[o + 2] = png.Palette[(s[0] * 3) + 2];
                    rgba[o + 3] = png.Transparency is not null && s[0] < png.Transparency.Length ? png.Transparency[s[0]] : (byte)255;
                    break;
                case 4:
                    rgba[o] = rgba[o + 1] = rgba[o + 2] = (byte)Eight(s[0]);
                    rgba[o + 3] = (byte)Eight(s[1]);
                    break;
                default:
                    for (var c = 0; c < 4; c++)
                    {
                        rgba[o + c] = (byte)Eight(s[c]);
                    }

                    break;
            }
        }

        return rgba;
    }
}
