using System.Diagnostics;
using Easel.Imaging;

namespace Easel.Bench.Fill;

// A quick wall-clock check without BenchmarkDotNet's ceremony: the median of K runs of four parallel fills (or
// remixes), then K single runs for the CPU time one costs.
internal static class TimeCommand
{
    public static int Run(int size, int runs, string what, IReadOnlyList<string> settings, string imageName = "landscape", double side = 0.5)
    {
        var (image, hole) = FillCase.Make(size, imageName, side);
        var options = OptionSettings.Apply(settings);
        Func<int, RgbaImage> one = what switch
        {
            "baseline" => seed => new FastMarchingFiller().Fill(image, hole, seed, CancellationToken.None),
            "remix-subtle" => seed => PatchRemixer.Remix(image, RemixStrength.Subtle, seed, CancellationToken.None),
            "remix-strong" => seed => PatchRemixer.Remix(image, RemixStrength.Strong, seed, CancellationToken.None),
            _ => seed => new PatchMatchFiller(options).Fill(image, hole, seed, CancellationToken.None),
        };

        RgbaImage[] Four()
        {
            var results = new RgbaImage[4];
            Parallel.For(0, 4, i => results[i] = one(1 + (i * 7919)));
            return results;
        }

        _ = Four();
        var times = new List<double>();
        long allocated = 0;
        for (var r = 0; r < runs; r++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var watch = Stopwatch.StartNew();
            _ = Four();
            times.Add(watch.Elapsed.TotalSeconds);
            allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        // One at a time: the process CPU time per run is the cost that four parallel runs share two cores for.
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var single = Stopwatch.StartNew();
        for (var r = 0; r < runs; r++)
        {
            _ = one(99 + r);
        }

        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / runs;
        times.Sort();
        Console.WriteLine($"{what} {imageName} {size}x{size}{(what.StartsWith("remix", StringComparison.Ordinal) ? "" : $" {side * side:0%} hole")}, 4 in parallel: median {times[times.Count / 2]:0.000} s, min {times[0]:0.000} s, max {times[^1]:0.000} s wall; "
            + $"one alone: {single.Elapsed.TotalSeconds / runs:0.000} s wall, {cpu:0.000} s CPU; allocated {allocated / 4 / 1048576.0:0.0} MB per run; load average {LoadAverage()}");
        return 0;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
