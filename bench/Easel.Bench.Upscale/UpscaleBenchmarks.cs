using BenchmarkDotNet.Attributes;
using Easel.Imaging;

namespace Easel.Bench.Upscale;

// The case: a 1024x1024 photo to 2048x2048, the upscaler against Lanczos-3 as the baseline. The photo is
// the centre of $EASEL_UPSCALE_PHOTO (a PNG, e.g. one from debian-photos.sh); BenchmarkDotNet runs the benchmark
// in a child process, so the path travels in the environment.
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10)]
[MemoryDiagnoser]
public class UpscaleBenchmarks
{
    private RgbaImage _image = null!;

    [GlobalSetup]
    public void Setup()
    {
        var path = Environment.GetEnvironmentVariable("EASEL_UPSCALE_PHOTO")
            ?? throw new InvalidOperationException("set EASEL_UPSCALE_PHOTO to a PNG photo of at least 1024x1024");
        _image = Degrade.EvenCrop(ImageCodec.Decode(File.ReadAllBytes(path)), 1024);
    }

    [Benchmark(Baseline = true)]
    public RgbaImage Lanczos3() => Resampler.Resize(_image, _image.Width * 2, _image.Height * 2, ResampleFilter.Lanczos3);

    [Benchmark]
    public RgbaImage Upscaler2x() => Upscaler.Upscale(_image, 2, CancellationToken.None);
}
