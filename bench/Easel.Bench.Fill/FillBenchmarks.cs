using BenchmarkDotNet.Attributes;
using Easel.Imaging;

namespace Easel.Bench.Fill;

// The engine's case: four variants (four seeds) of one fill, run in parallel as LocalEngine runs them,
// on a natural-looking texture with a 25% hole (a centred box of half the side), Easel against the baseline.
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 8)]
[MemoryDiagnoser]
public class FillBenchmarks
{
    private RgbaImage _image = null!;
    private AlphaMask _hole = null!;
    private readonly PatchMatchFiller _easel = new();
    private readonly FastMarchingFiller _baseline = new();

    [Params(512, 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup() => (_image, _hole) = FillCase.Make(Size);

    [Benchmark(Baseline = true)]
    public RgbaImage[] FastMarching_four_variants() => FillCase.FourVariants(_baseline, _image, _hole);

    [Benchmark]
    public RgbaImage[] PatchMatch_four_variants() => FillCase.FourVariants(_easel, _image, _hole);
}

internal static class FillCase
{
    public static (RgbaImage Image, AlphaMask Hole) Make(int size)
    {
        var image = ProceduralImages.Landscape(size, size, 5);
        var hole = new AlphaMask(size, size);
        int side = size / 2, x0 = size / 4, y0 = size / 4;
        for (var y = y0; y < y0 + side; y++)
        {
            hole.Values.AsSpan((y * size) + x0, side).Fill(255);
        }

        return (image, hole);
    }

    public static RgbaImage[] FourVariants(IHoleFiller filler, RgbaImage image, AlphaMask hole)
    {
        var results = new RgbaImage[4];
        Parallel.For(0, 4, i => results[i] = filler.Fill(image, hole, 1 + (i * 7919), CancellationToken.None));
        return results;
    }
}
