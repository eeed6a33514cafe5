using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Easel.Imaging;
using Easel.Imaging.Fuzzing;

namespace Easel.Bench.Imaging;

// Long fuzz runs: one worker per core mutates the corpus until the time is up. Inputs that escape as anything but
// ImageDecodeException, or that run longer than the hang limit, are written to fuzz-findings/ and make the exit code 1.
//   dotnet run -c Release --project bench/Easel.Bench.Imaging -- fuzz --seconds 600 [--seed N] [--max-pixels P] [DIR]
internal static class Fuzzer
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(10);

    public static int Run(string[] args)
    {
        var seconds = Option(args, "--seconds", 60);
        var seed = Option(args, "--seed", Environment.TickCount);
        var maxPixels = Option(args, "--max-pixels", 1 << 22);
        var directory = args.LastOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) && !int.TryParse(a, out _));
        var corpus = Corpus(directory);
        Console.WriteLine($"fuzz: {corpus.Count} seed files, {Environment.ProcessorCount} workers, seed {seed}, {seconds} s");

        var deadline = Stopwatch.StartNew();
        var workers = Environment.ProcessorCount;
        var started = new long[workers];
        var current = new byte[workers][];
        long cases = 0;
        long decoded = 0;
        var findings = 0;
        var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
        {
            var random = new Random(seed + w);
            while (deadline.Elapsed.TotalSeconds < seconds)
            {
                var input = Mutator.Mutate(corpus[random.Next(corpus.Count)], random);
                Volatile.Write(ref current[w], input);
                Volatile.Write(ref started[w], Stopwatch.GetTimestamp());
                try
                {
                    ImageCodec.Decode(input, maxPixels);
                    Interlocked.Increment(ref decoded);
                }
                catch (ImageDecodeException)
                {
                }
#pragma warning disable CA1031 // Catching everything is the point: any other exception is a finding.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Interlocked.Increment(ref findings);
                    Save(input, ex.ToString());
                }

                Volatile.Write(ref started[w], 0);
                Interlocked.Increment(ref cases);
            }
        })
        { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());

        while (threads.Exists(t => t.IsAlive))
        {
            Thread.Sleep(1000);
            for (var w = 0; w < workers; w++)
            {
                var since = Volatile.Read(ref started[w]);
                if (since != 0 && Stopwatch.GetElapsedTime(since) > HangLimit)
                {
                    Save(Volatile.Read(ref current[w]), $"decode ran longer than {HangLimit}");
                    Console.WriteLine($"fuzz: HANG after {cases} cases; input saved");
                    return 1;
                }
            }
        }

        Console.WriteLine($"fuzz: {cases} cases in {deadline.Elapsed.TotalSeconds:F0} s, {decoded} decoded, {findings} findings");
        return findings == 0 ? 0 : 1;
    }

    private static List<byte[]> Corpus(string? directory)
    {
        var corpus = new List<byte[]>();
        var photo = SyntheticPhoto.Make(48, 32, alpha: true);
        corpus.Add(ImageCodec.EncodeJpeg(photo, 80));
        corpus.Add(ImageCodec.EncodeJpeg(photo, 95, JpegSubsampling.Yuv444));
        corpus.Add(ImageCodec.EncodePng(photo, 6));
        corpus.Add(ImageCodec.EncodeWebP(photo, 80));
        corpus.Add(ImageCodec.EncodeWebP(photo, 100, lossless: true));
        using (var raw = NetVips.Image.NewFromMemory(photo.Pixels, photo.Width, photo.Height, 4, NetVips.Enums.BandFormat.Uchar))
        using (var rgba = raw.Copy(interpretation: NetVips.Enums.Interpretation.Srgb))
        {
            corpus.Add(rgba.GifsaveBuffer());
            corpus.Add(rgba.TiffsaveBuffer(compression: NetVips.Enums.ForeignTiffCompression.Lzw));
            corpus.Add(rgba.HeifsaveBuffer(q: 50, compression: NetVips.Enums.ForeignHeifCompression.Av1, effort: 0));
        }
        var ppm = Path.Combine(Path.GetTempPath(), $"easel-fuzz-{Environment.ProcessId}.ppm");
        File.WriteAllBytes(ppm, Ppm.Encode(photo));
        try
        {
            foreach (var arguments in new[] { "-sample 2x2", "-sample 2x1", "-sample 1x2", "-sample 4x1", "-progressive", "-progressive -sample 1x1", "-restart 1B", "-grayscale -progressive", "-rgb" })
            {
                var output = Tool("cjpeg", $"{arguments} {ppm}");
                if (output is not null)
                {
                    corpus.Add(output);
                }
            }
        }
        finally
        {
            File.Delete(ppm);
        }

        if (directory is not null)
        {
            corpus.AddRange(Directory.EnumerateFiles(directory).Select(File.ReadAllBytes));
        }

        return corpus;
    }

    private static byte[]? Tool(string name, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(name, arguments) { RedirectStandardOutput = true, UseShellExecute = false });
            if (process is null)
            {
                return null;
            }

            using var output = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(output);
            process.WaitForExit();
            return process.ExitCode == 0 ? output.ToArray() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static void Save(byte[] input, string reason)
    {
        Directory.CreateDirectory("fuzz-findings");
        var name = Convert.ToHexString(SHA256.HashData(input))[..16];
        File.WriteAllBytes(Path.Combine("fuzz-findings", name + ".bin"), input);
        File.WriteAllText(Path.Combine("fuzz-findings", name + ".txt"), reason);
        Console.WriteLine($"fuzz: finding {name}: {reason.Split('\n')[0]}");
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
