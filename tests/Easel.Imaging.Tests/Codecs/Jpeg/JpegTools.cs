using System.Diagnostics;
using System.Text;

namespace Easel.Imaging.Tests.Codecs.Jpeg;

// Debian's libjpeg-turbo tools (cjpeg/djpeg/jpegtran) make the conformance corpus and its reference decodes.
// On CI (CI=true) a missing tool fails the test; on a developer machine the test is skipped.
internal static class JpegTools
{
    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool Available => Find("cjpeg") is not null && Find("djpeg") is not null && Find("jpegtran") is not null;

    public static string? ImageMagick => File.Exists("/usr/bin/convert") ? "/usr/bin/convert" : null;

    public static byte[] Cjpeg(Pnm image, params string[] arguments)
        => Run(Require("cjpeg"), arguments, image.Encode());

    public static Pnm Djpeg(byte[] jpeg) => Pnm.Parse(Run(Require("djpeg"), ["-ppm"], jpeg));

    public static byte[] Jpegtran(byte[] jpeg, params string[] arguments) => Run(Require("jpegtran"), arguments, jpeg);

    public static byte[] Run(string tool, IReadOnlyList<string> arguments, byte[] input)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        copy.Wait();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed: {errors.Result}");
        }

        return output.ToArray();
    }

    public static string Require(string tool)
        => Find(tool) ?? throw new InvalidOperationException(
            $"{tool} is not installed; CI installs it with .ci/install-packages (libjpeg-turbo-progs, netpbm).");

    internal static string? Find(string tool)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            var path = Path.Combine(directory, tool);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }
}

// Skipped locally when the tools are missing; never on CI, where the missing tool must fail the run.
internal sealed class JpegToolsFactAttribute : FactAttribute
{
    public JpegToolsFactAttribute()
    {
        if (!JpegTools.Available && !JpegTools.OnCi)
        {
            Skip = "cjpeg/djpeg/jpegtran are not installed (apt-get install libjpeg-turbo-progs).";
        }
    }
}

internal sealed class JpegToolsTheoryAttribute : TheoryAttribute
{
    public JpegToolsTheoryAttribute()
    {
        if (!JpegTools.Available && !JpegTools.OnCi)
        {
            Skip = "cjpeg/djpeg/jpegtran are not installed (apt-get install libjpeg-turbo-progs).";
        }
    }
}

// A binary PPM (P6) or PGM (P5) image with 8-bit samples.
internal sealed record Pnm(int Width, int Height, int Channels, byte[] Samples)
{
    public byte[] Encode()
    {
        var header = Encoding.ASCII.GetBytes($"{(Channels == 1 ? "P5" : "P6")}\n{Width} {Height}\n255\n");
        return [.. header, .. Samples];
    }

    public static Pnm Parse(byte[] data)
    {
        var position = 0;
        var magic = Token(data, ref position);
        var width = int.Parse(Token(data, ref position));
        var height = int.Parse(Token(data, ref position));
        var max = int.Parse(Token(data, ref position));
        Assert.Equal(255, max);
        position++;
        var channels = magic == "P5" ? 1 : 3;
        Assert.True(magic is "P5" or "P6", $"unexpected PNM type {magic}");
        return new Pnm(width, height, channels, data.AsSpan(position, width * height * channels).ToArray());
    }

    // RGBA of this image (grey replicated), for comparison with decoder output.
    public byte[] ToRgba()
    {
        var rgba = new byte[Width * Height * 4];
        for (var i = 0; i < Width * Height; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                rgba[(i * 4) + c] = Samples[(i * Channels) + (Channels == 1 ? 0 : c)];
            }

            rgba[(i * 4) + 3] = 255;
        }

        return rgba;
    }

    public static Pnm FromRgba(RgbaImage image)
    {
        var samples = new byte[image.Width * image.Height * 3];
        for (var i = 0; i < image.Width * image.Height; i++)
        {
            samples[i * 3] = image.Pixels[i * 4];
            samples[(i * 3) + 1] = image.Pixels[(i * 4) + 1];
            samples[(i * 3) + 2] = image.Pixels[(i * 4) + 2];
        }

        return new Pnm(image.Width, image.Height, 3, samples);
    }

    private static string Token(byte[] data, ref int position)
    {
        while (data[position] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            position++;
        }

        var start = position;
        while (data[position] is not ((byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
        {
            position++;
        }

        return Encoding.ASCII.GetString(data, start, position - start);
    }
}

// Deterministic photo-like test images: smooth gradients, texture noise, hard edges and a few saturated shapes,
// so every coefficient band and chroma edge is exercised (flat images would hide upsampling and IDCT errors).
internal static class TestPhotos
{
    public static Pnm Make(int width, int height, int seed = 1, bool grey = false)
    {
        var random = new Random(seed);
        var channels = grey ? 1 : 3;
        var samples = new byte[width * height * channels];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var fx = (double)x / width;
                var fy = (double)y / height;
                var noise = random.Next(-12, 13);
                var r = (200 * fx) + (40 * Math.Sin(fy * 9)) + noise;
                var g = (180 * fy) + (50 * Math.Cos(fx * 7)) + noise;
                var b = (120 * (1 - fx)) + (90 * fy * fx) + noise;
                if (((x / 9) + (y / 13)) % 5 == 0)
                {
                    (r, g) = (250 - r, 30 + (g / 3));
                }

                var dx = x - (width * 0.6);
                var dy = y - (height * 0.4);
                if ((dx * dx) + (dy * dy) < width * height / 20.0)
                {
                    (r, g, b) = (230, 20 + (noise * 2), 40);
                }

                var o = ((y * width) + x) * channels;
                if (grey)
                {
                    samples[o] = Clamp((0.3 * r) + (0.6 * g) + (0.1 * b));
                }
                else
                {
                    samples[o] = Clamp(r);
                    samples[o + 1] = Clamp(g);
                    samples[o + 2] = Clamp(b);
                }
            }
        }

        return new Pnm(width, height, channels, samples);
    }

    private static byte Clamp(double value) => (byte)Math.Clamp((int)Math.Round(value), 0, 255);
}
