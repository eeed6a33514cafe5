using System.Diagnostics;
using Easel.Imaging.Synthesis;

namespace Easel.Bench.Fill;

internal static class MicroCommand
{
    public static int Run()
    {
        const int w = 512;
        var f = new float[w * w * 8];
        var r = new Random(1);
        for (var i = 0; i < f.Length; i++)
        {
            f[i] = r.NextSingle() * 255;
        }

        Console.WriteLine($"V256 {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated} fma {System.Runtime.Intrinsics.X86.Fma.IsSupported} avx2 {System.Runtime.Intrinsics.X86.Avx2.IsSupported}");
        float sink = 0;
        for (var round = 0; round < 5; round++)
        {
            var sw = Stopwatch.StartNew(); var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            const int n = 2_000_000;
            for (var k = 0; k < n; k++)
            {
                var a = ((k & 63) * 8) + (3 * w) + 3;
                var b = ((k & 31) * 5) + (20 * w) + 3;
                sink += PatchDistance.Compute(f, a * 8, f, b * 8, w * 8, 7, float.MaxValue);
            }

            Console.WriteLine($"{sw.Elapsed.TotalMilliseconds * 1e6 / n:0.0} ns wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds * 1e6 / n:0.0} ns CPU per 7x7 distance ({sink})");
        }

        return 0;
    }
}
