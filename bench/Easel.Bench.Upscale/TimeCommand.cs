using System.Diagnostics;
using System.Globalization;
using Easel.Imaging;
using Easel.Imaging.Geometry;

namespace Easel.Bench.Upscale;

// The speed figure without BenchmarkDotNet's ceremony: a 1024x1024 photo enlarged to 2048x2048, Lanczos-3
// and the upscaler alternating in one process (two warm-ups each, then the median of K), a full GC before each.
internal static class TimeCommand
{
    public static int Run(RgbaImage image, int runs, int factor, IReadOnlyList<string> settings)
    {
        var options = OptionSettings.Apply(settings);
        var lanczos = new List<double>();
        var easel = new List<double>();
        long allocated = 0;
        var cpu = TimeSpan.Zero;
        for (var r = -2; r < runs; r++)
        {
            GC.Collect();
            var watch = Stopwatch.StartNew();
            _ = Resampler.Resize(image, image.Width * factor, image.Height * factor, ResampleFilter.Lanczos3);
            var l = watch.Elapsed.TotalSeconds;
            GC.Collect();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            watch.Restart();
            _ = Upscaler.Upscale(image, factor, options, CancellationToken.None);
            var e = watch.Elapsed.TotalSeconds;
            if (r >= 0)
            {
                lanczos.Add(l);
                easel.Add(e);
                cpu += Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
                allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            }
        }

        lanczos.Sort();
        easel.Sort();
        double ml = lanczos[runs / 2], me = easel[runs / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{image.Width}x{image.Height} -> {image.Width * factor}x{image.Height * factor}, median of {runs}: Lanczos-3 {ml:0.000} s (min {lanczos[0]:0.000}), easel {me:0.000} s (min {easel[0]:0.000}, max {easel[^1]:0.000}, {cpu.TotalSeconds / runs:0.000} s CPU), ratio {me / ml:0.0}x; allocated {allocated / 1048576.0:0} MB; load average {LoadAverage()}"));
        return 0;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
