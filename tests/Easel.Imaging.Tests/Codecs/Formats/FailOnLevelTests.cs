using Easel.Imaging.Codecs.Vips;
using NetVips;
using Xunit.Abstractions;

namespace Easel.Imaging.Tests.Codecs.Formats;

// libvips decodes damaged files silently unless told otherwise (failOn None: grey or half images, warnings on
// stderr). This measures which level refuses which damage, and holds the level Easel uses to refusing them all but the
// one the libraries themselves cannot see.
public sealed class FailOnLevelTests(ITestOutputHelper output)
{
    private static readonly Enums.FailOn[] Levels = [Enums.FailOn.None, Enums.FailOn.Truncated, Enums.FailOn.Error, Enums.FailOn.Warning];

    // Measured with libvips 8.18.7 (NetVips.Native.linux-x64), levels None, Truncated, Error, Warning: R = refused,
    // d = decoded. Easel uses Error: every truncation and broken checksum is refused. Random bytes inside a JPEG's
    // entropy-coded data are only a libjpeg *warning* ("Corrupt JPEG data"), the same class as the stray bytes before a
    // marker that many cameras write, so refusing them would refuse real photos; they decode to damaged pixels, as in
    // every browser. A PNG cut inside IEND has all its pixel data and decodes whole.
    private static readonly Dictionary<string, string> Measured = new()
    {
        ["jpeg cut at 2/3"] = "dRRR",
        ["jpeg without EOI"] = "dRRR",
        ["jpeg with 200 random bytes in its scan"] = "dddR",
        ["png cut at 2/3"] = "dRRR",
        ["png with a bad IDAT CRC"] = "dRRR",
        ["png without IEND"] = "dddd",
        ["gif cut at 2/3"] = "dRRR",
        ["webp cut at 2/3"] = "RRRR",
        ["avif cut at 2/3"] = "RRRR",
        ["tiff cut at 2/3"] = "RRRR",
    };

    [FormatToolsFact]
    public void Each_level_refuses_the_damage_measured_for_it()
    {
        var table = new List<string>();
        foreach (var damaged in DamageCorpus.Make())
        {
            var row = string.Concat(Levels.Select(level => Refused(damaged, level) ? 'R' : 'd'));
            table.Add($"[\"{damaged.Name}\"] = \"{row}\",");
        }

        output.WriteLine(string.Join(Environment.NewLine, table));
        Assert.Equal(Measured.Select(m => $"[\"{m.Key}\"] = \"{m.Value}\","), table);
    }

    [FormatToolsFact]
    public void At_easels_level_every_truncated_or_checksum_failing_file_is_refused_with_a_message_naming_its_format()
    {
        Assert.Equal(Enums.FailOn.Error, VipsDecoder.DefaultFailOn);
        foreach (var damaged in DamageCorpus.Make().Where(d => d.Name.Contains("cut", StringComparison.Ordinal) || d.Name.Contains("CRC", StringComparison.Ordinal) || d.Name.Contains("EOI", StringComparison.Ordinal)))
        {
            var error = Assert.ThrowsAny<ImageDecodeException>(() => ImageCodec.Decode(damaged.Data));
            Assert.StartsWith($"The {Name(damaged.Format)} ", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("vips", error.Message, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static string Name(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => "JPEG",
        ImageFormat.Png => "PNG",
        ImageFormat.Gif => "GIF",
        ImageFormat.WebP => "WebP",
        ImageFormat.Avif => "AVIF",
        _ => "TIFF",
    };

    private static bool Refused(DamageCorpus.Damaged damaged, Enums.FailOn level)
    {
        try
        {
            VipsDecoder.Decode(damaged.Data, damaged.Format, ImageLimits.MaxPixels, level);
            return false;
        }
        catch (ImageDecodeException)
        {
            return true;
        }
    }
}
