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
    // The engine's case: the landscape with a centred box of half the side (a 25% hole). `image` names another of
    // ProceduralImages.All and `side` another box side, as a fraction of the image's (the time command's --image,
    // --side: e.g. a smooth image with a large hole, the blend's largest case).
    public static (RgbaImage Image, AlphaMask Hole) Make(int size, string image = "landscape", double side = 0.5)
    {
        if (side is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(side), side, "the box side is a fraction of the image's, above 0 and at most 1");
        }

        var picture = image == "landscape" ? ProceduralImages.Landscape(size, size, 5)
            : ProceduralImages.All(size).FirstOrDefault(p => p.Name == image).Image
              ?? throw new ArgumentException($"no procedural image '{image}' (there are: {string.Join(", ", ProceduralImages.All(8).Select(p => p.Name))})", nameof(image));
        var hole = new AlphaMask(size, size);
        var boxSide = (int)(size * side);
        int x0 = (size - boxSide) / 2, y0 = (size - boxSide) / 2;
        for (var y = y0; y < y0 + boxSide; y++)
        {
            hole.Values.AsSpan((y * size) + x0, boxSide).Fill(255);
        }

        return (picture, hole);
    }

    public static RgbaImage[] FourVariants(IHoleFiller filler, RgbaImage image, AlphaMask hole)
    {
        var results = new RgbaImage[4];
        Parallel.For(0, 4, i => results[i] = filler.Fill(image, hole, 1 + (i * 7919), CancellationToken.None));
        return results;
    }
}
