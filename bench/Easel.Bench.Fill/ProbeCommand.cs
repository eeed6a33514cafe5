using System.Diagnostics;
using Easel.Imaging;

namespace Easel.Bench.Fill;

// Developer probe: time one mask kind on one procedural image, sequentially (for profiling a path).
internal static class ProbeCommand
{
    public static int Run(string kind, int size)
    {
        var image = ProceduralImages.Landscape(size, size, 5);
        var mask = Masks.Make(Enum.Parse<MaskKind>(kind, ignoreCase: true), size, size, 3);
        var filler = new PatchMatchFiller();
        for (var r = 0; r < 4; r++)
        {
            var watch = Stopwatch.StartNew();
            var report = filler.FillWithReport(image, mask, r, CancellationToken.None);
            Console.WriteLine($"{kind} {size}: {report.Path} {watch.Elapsed.TotalMilliseconds:0} ms, coverage {Masks.Coverage(mask):0.000}");
        }

        return 0;
    }
}
