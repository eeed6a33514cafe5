namespace Easel.Imaging.Tests.Codecs.Formats;

// Damaged files of every decoded format, made from good ones: what the failOn level and the messages are tested on.
internal static class DamageCorpus
{
    public sealed record Damaged(string Name, ImageFormat Format, byte[] Data);

    public static IReadOnlyList<Damaged> Make()
    {
        var photo = FormatSamples.Opaque(96, 64);
        var jpeg = FormatSamples.Jpeg90(photo);
        var png = FormatSamples.Png(FormatSamples.Translucent(96, 64));
        var gif = FormatSamples.Gif(FormatSamples.Palette(96, 64));
        var webp = FormatSamples.WebPLossy(photo);
        var avif = FormatSamples.Avif(photo);
        var tiff = FormatSamples.Tiff(photo);

        return
        [
            new("jpeg cut at 2/3", ImageFormat.Jpeg, jpeg[..(jpeg.Length * 2 / 3)]),
            new("jpeg without EOI", ImageFormat.Jpeg, jpeg[..^2]),
            new("jpeg with 200 random bytes in its scan", ImageFormat.Jpeg, Overwrite(jpeg, jpeg.Length / 2, 200, seed: 7)),
            new("png cut at 2/3", ImageFormat.Png, png[..(png.Length * 2 / 3)]),
            new("png with a bad IDAT CRC", ImageFormat.Png, FlipInFirstIdat(png)),
            new("png without IEND", ImageFormat.Png, png[..^12]),
            new("gif cut at 2/3", ImageFormat.Gif, gif[..(gif.Length * 2 / 3)]),
            new("webp cut at 2/3", ImageFormat.WebP, webp[..(webp.Length * 2 / 3)]),
            new("avif cut at 2/3", ImageFormat.Avif, avif[..(avif.Length * 2 / 3)]),
            new("tiff cut at 2/3", ImageFormat.Tiff, tiff[..(tiff.Length * 2 / 3)]),
        ];
    }

    private static byte[] Overwrite(byte[] data, int at, int count, int seed)
    {
        var copy = (byte[])data.Clone();
        new Random(seed).NextBytes(copy.AsSpan(at, count));
        return copy;
    }

    // One bit of the compressed data: zlib may still inflate it, the chunk's CRC no longer matches.
    private static byte[] FlipInFirstIdat(byte[] png)
    {
        var copy = (byte[])png.Clone();
        var idat = copy.AsSpan().IndexOf("IDAT"u8);
        copy[idat + 4 + 20] ^= 0x10;
        return copy;
    }
}
