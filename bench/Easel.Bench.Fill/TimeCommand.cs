using System.Diagnostics;
using Easel.Imaging;

namespace Easel.Bench.Fill;

// A quick wall-clock check without BenchmarkDotNet's ceremony: the median of K runs of four parallel fills.
internal static class TimeCommand
{
    public static int Run(int size, int runs, string filler)
    {
        var (image, hole) = FillCase.Make(size);
        IHoleFiller f = filler == "baseline" ? new FastMarchingFiller() : new PatchMatchFiller();
        _ = FillCase.FourVariants(f, image, hole);
        var times = new List<double>();
        long allocated = 0;
        for (var r = 0; r < runs; r++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var watch = Stopwatch.StartNew();
            _ = FillCase.FourVariants(f, image, hole);
            times.Add(watch.Elapsed.TotalSeconds);
            allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        // One fill at a time: the process CPU time per fill is the cost that four parallel fills share two cores for.
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var single = Stopwatch.StartNew();
        for (var r = 0; r < runs; r++)
        {
            _ = f.Fill(image, hole, 99 + r, CancellationToken.None);
        }

        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / runs;
        Console.WriteLine($"one fill alone: {single.Elapsed.TotalSeconds / runs:0.000} s wall, {cpu:0.000} s CPU");
        times.Sort();
        Console.WriteLine($"{filler} {size}x{size} 25% hole, 4 variants in parallel: median {times[times.Count / 2]:0.000} s, min {times[0]:0.000} s, max {times[^1]:0.000} s; allocated {allocated / 4 / 1048576.0:0.0} MB per fill");
        return 0;
    }
}
