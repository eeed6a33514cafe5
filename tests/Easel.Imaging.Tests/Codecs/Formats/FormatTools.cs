using Easel.Imaging.Tests.Codecs.Jpeg;

namespace Easel.Imaging.Tests.Codecs.Formats;

// Debian's own encoders and decoders of the formats libvips reads for Easel (packages webp, libavif-bin,
// libheif-examples, libjxl-tools, imagemagick, netpbm): they make the samples and the reference decodes, so libvips
// is held to another implementation, not to itself. Skipped locally when missing; on CI a missing tool fails.
internal static class FormatTools
{
    private static readonly string[] Tools = ["cwebp", "dwebp", "img2webp", "avifenc", "avifdec", "heif-enc", "cjxl", "pngtopam"];

    public static bool Available => Tools.All(t => Find(t) is not null) && JpegTools.ImageMagick is not null;

    // Runs a tool that reads and writes files; returns the output file's bytes.
    public static byte[] Convert(string tool, byte[] input, string inputExtension, string outputExtension, params string[] arguments)
    {
        var directory = Directory.CreateTempSubdirectory("easel-formats-");
        try
        {
            var inputPath = Path.Combine(directory.FullName, "in" + inputExtension);
            var outputPath = Path.Combine(directory.FullName, "out" + outputExtension);
            File.WriteAllBytes(inputPath, input);
            var full = arguments.Select(a => a.Replace("{in}", inputPath, StringComparison.Ordinal).Replace("{out}", outputPath, StringComparison.Ordinal)).ToArray();
            Run(tool == "convert" ? JpegTools.ImageMagick ?? "convert" : Require(tool), full);
            return File.ReadAllBytes(outputPath);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    // Several inputs (frames) in one call: {in0}, {in1}, ...
    public static byte[] ConvertMany(string tool, IReadOnlyList<byte[]> inputs, string inputExtension, string outputExtension, params string[] arguments)
    {
        var directory = Directory.CreateTempSubdirectory("easel-formats-");
        try
        {
            var outputPath = Path.Combine(directory.FullName, "out" + outputExtension);
            var paths = inputs.Select((bytes, i) =>
            {
                var path = Path.Combine(directory.FullName, $"in{i}{inputExtension}");
                File.WriteAllBytes(path, bytes);
                return path;
            }).ToArray();
            var full = arguments.Select(a =>
            {
                for (var i = 0; i < paths.Length; i++)
                {
                    a = a.Replace($"{{in{i}}}", paths[i], StringComparison.Ordinal);
                }

                return a.Replace("{out}", outputPath, StringComparison.Ordinal);
            }).ToArray();
            Run(tool == "convert" ? JpegTools.ImageMagick ?? "convert" : Require(tool), full);
            return File.ReadAllBytes(outputPath);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    // netpbm's reading of a PNG as RGBA (pngtopam -alphapam), independent of libvips' libpng.
    public static byte[] PngToRgba(byte[] png, out int width, out int height)
    {
        var pam = JpegTools.Run(Require("pngtopam"), ["-alphapam"], png);
        return Pam.ToRgba(pam, out width, out height);
    }

    // The tools write files, not stdout: their own output is only what they say when they fail.
    private static void Run(string tool, IReadOnlyList<string> arguments) => JpegTools.Run(tool, arguments, []);

    private static string Require(string tool)
        => Find(tool) ?? throw new InvalidOperationException(
            $"{tool} is not installed; CI installs it with .ci/install-packages (webp, libavif-bin, libheif-examples, libjxl-tools, netpbm).");

    private static string? Find(string tool) => JpegTools.Find(tool);
}

// A PAM (P7) with 8-bit RGB_ALPHA or RGB tuples, as pngtopam -alphapam writes.
internal static class Pam
{
    public static byte[] ToRgba(byte[] pam, out int width, out int height)
    {
        var end = pam.AsSpan().IndexOf("ENDHDR\n"u8) + 7;
        var header = System.Text.Encoding.ASCII.GetString(pam, 0, end).Split('\n');
        int Value(string key) => int.Parse(header.First(l => l.StartsWith(key + " ", StringComparison.Ordinal))[(key.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        width = Value("WIDTH");
        height = Value("HEIGHT");
        var depth = Value("DEPTH");
        Assert.Equal(255, Value("MAXVAL"));
        var rgba = new byte[width * height * 4];
        for (var i = 0; i < width * height; i++)
        {
            for (var c = 0; c < 4; c++)
            {
                rgba[(i * 4) + c] = depth switch
                {
                    4 => pam[end + (i * 4) + c],
                    3 => c == 3 ? (byte)255 : pam[end + (i * 3) + c],
                    2 => c == 3 ? pam[end + (i * 2) + 1] : pam[end + (i * 2)],
                    _ => c == 3 ? (byte)255 : pam[end + i],
                };
            }
        }

        return rgba;
    }
}

internal sealed class FormatToolsFactAttribute : FactAttribute
{
    public FormatToolsFactAttribute()
    {
        if (!FormatTools.Available && !JpegTools.OnCi)
        {
            Skip = "webp/libavif-bin/libheif-examples/libjxl-tools/imagemagick/netpbm are not installed (.ci/install-packages).";
        }
    }
}

internal sealed class FormatToolsTheoryAttribute : TheoryAttribute
{
    public FormatToolsTheoryAttribute()
    {
        if (!FormatTools.Available && !JpegTools.OnCi)
        {
            Skip = "webp/libavif-bin/libheif-examples/libjxl-tools/imagemagick/netpbm are not installed (.ci/install-packages).";
        }
    }
}
