using System.Diagnostics;
using System.Globalization;
using System.Text;
using Easel.Imaging;

namespace Easel.Bench.Imaging;

internal static class Commands
{
    public static int Photo(string[] args)
    {
        var width = int.Parse(args[1], CultureInfo.InvariantCulture);
        var height = int.Parse(args[2], CultureInfo.InvariantCulture);
        File.WriteAllBytes(args[3], Ppm.Encode(SyntheticPhoto.Make(width, height, alpha: false)));
        return 0;
    }

    public static int Time(string[] args)
    {
        var operation = args[1];
        var data = File.ReadAllBytes(args[2]);
        var source = Load(data);
        Func<object> action;
        int iterations;
        switch (operation)
        {
            case "decode":
                action = () => ImageCodec.Decode(data);
                iterations = Iterations(args, 3);
                break;
            case "encode-png":
                action = () => ImageCodec.EncodePng(source, 6);
                iterations = Iterations(args, 3);
                break;
            case "encode-jpeg":
                action = () => ImageCodec.EncodeJpeg(source, 90);
                iterations = Iterations(args, 3);
                break;
            case "encode-webp":
                action = () => ImageCodec.EncodeWebP(source, 90);
                iterations = Iterations(args, 3);
                break;
            case "resize":
                var width = int.Parse(args[3], CultureInfo.InvariantCulture);
                var height = int.Parse(args[4], CultureInfo.InvariantCulture);
                action = () => Resampler.Resize(source, width, height);
                iterations = Iterations(args, 5);
                break;
            default:
                Console.Error.WriteLine($"unknown operation {operation}");
                return 2;
        }

        // Warm-up runs tier the code up (and fault in the pages) before anything is measured.
        for (var i = 0; i < 2; i++)
        {
            GC.KeepAlive(action());
        }

        var times = new List<double>();
        for (var i = 0; i < iterations; i++)
        {
            GC.Collect();
            var watch = Stopwatch.StartNew();
            GC.KeepAlive(action());
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        Console.WriteLine(times[times.Count / 2].ToString("F1", CultureInfo.InvariantCulture));
        return 0;
    }

    // Peak memory of a decode in this (fresh) process: the high-water mark of resident memory (VmHWM) during the
    // decode, less the resident memory just before it, against the decoded pixels' own size (width x height x 4).
    // Twice: the process's first large decode (libvips' threads and their malloc arenas grow then), and a later one,
    // as a running server decodes (after the first image is released and the heap given back).
    public static int Memory(string[] args)
    {
        var data = File.ReadAllBytes(args[1]);
        var info = ImageCodec.Identify(data);
        // Load libvips and JIT the path on a tiny image first, so the figure is the decode's, not the start-up's.
        GC.KeepAlive(ImageCodec.Decode(ImageCodec.EncodePng(new RgbaImage(8, 8))));
        var pixels = (long)info.Width * info.Height * 4;
        foreach (var which in new[] { "first decode", "later decode" })
        {
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            var before = Status("VmRSS");
            ResetPeak();
            GC.KeepAlive(ImageCodec.Decode(data));
            var peak = Status("VmHWM");
            Console.Write(string.Create(CultureInfo.InvariantCulture,
                $"{which}: {(peak - before) / 1e6:F1} MB = {(double)(peak - before) / pixels:F2}x the pixels; "));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{info.Width}x{info.Height}, pixels {pixels / 1e6:F1} MB"));
        return 0;
    }

    private static long Status(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    // Writing 5 to clear_refs resets the high-water mark to the current resident size (Linux 4.0+).
    private static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    private static int Iterations(string[] args, int index)
        => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : 7;

    private static RgbaImage Load(byte[] data)
        => data.Length > 2 && data[0] == (byte)'P' && data[1] is (byte)'6' or (byte)'5' ? Ppm.Decode(data) : ImageCodec.Decode(data);
}

internal static class Ppm
{
    public static byte[] Encode(RgbaImage image)
    {
        var header = Encoding.ASCII.GetBytes($"P6\n{image.Width} {image.Height}\n255\n");
        var output = new byte[header.Length + (image.Width * image.Height * 3)];
        header.CopyTo(output, 0);
        for (int i = 0, o = header.Length; i < image.Pixels.Length; i += 4, o += 3)
        {
            output[o] = image.Pixels[i];
            output[o + 1] = image.Pixels[i + 1];
            output[o + 2] = image.Pixels[i + 2];
        }

        return output;
    }

    public static RgbaImage Decode(byte[] data)
    {
        var position = 0;
        var magic = Token(data, ref position);
        var width = int.Parse(Token(data, ref position), CultureInfo.InvariantCulture);
        var height = int.Parse(Token(data, ref position), CultureInfo.InvariantCulture);
        _ = Token(data, ref position);
        position++;
        var channels = magic == "P5" ? 1 : 3;
        var image = new RgbaImage(width, height);
        for (var i = 0; i < width * height; i++)
        {
            var s = position + (i * channels);
            image.Pixels[i * 4] = data[s];
            image.Pixels[(i * 4) + 1] = data[s + (channels == 3 ? 1 : 0)];
            image.Pixels[(i * 4) + 2] = data[s + (channels == 3 ? 2 : 0)];
            image.Pixels[(i * 4) + 3] = 255;
        }

        return image;
    }

    private static string Token(byte[] data, ref int position)
    {
        while (char.IsWhiteSpace((char)data[position]))
        {
            position++;
        }

        var start = position;
        while (!char.IsWhiteSpace((char)data[position]))
        {
            position++;
        }

        return Encoding.ASCII.GetString(data, start, position - start);
    }
}

// Photo-like content for benchmarks: smooth gradients, per-pixel noise, hard edges, so codecs do realistic work.
internal static class SyntheticPhoto
{
    public static RgbaImage Make(int width, int height, bool alpha)
    {
        var image = new RgbaImage(width, height);
        Parallel.For(0, height, y =>
        {
            var random = new Random(y);
            var row = image.Pixels.AsSpan(y * width * 4, width * 4);
            for (var x = 0; x < width; x++)
            {
                var fx = (double)x / width;
                var fy = (double)y / height;
                var noise = random.Next(-10, 11);
                var r = (210 * fx) + (40 * Math.Sin(fy * 23)) + noise;
                var g = (190 * fy) + (50 * Math.Cos(fx * 17)) + noise;
                var b = (140 * (1 - fx)) + (80 * fy * fx) + noise;
                if (((x / 37) + (y / 53)) % 7 == 0)
                {
                    (r, g) = (250 - r, 30 + (g / 3));
                }

                row[x * 4] = (byte)Math.Clamp((int)r, 0, 255);
                row[(x * 4) + 1] = (byte)Math.Clamp((int)g, 0, 255);
                row[(x * 4) + 2] = (byte)Math.Clamp((int)b, 0, 255);
                row[(x * 4) + 3] = alpha ? (byte)Math.Clamp(128 + (int)(127 * Math.Sin((fx + fy) * 11)), 0, 255) : (byte)255;
            }
        });
        return image;
    }
}
