using BenchmarkDotNet.Attributes;
using Easel.Imaging;

namespace Easel.Bench.Imaging;

// In-process figures at sizes that run quickly under BenchmarkDotNet; bench/imaging-figures.sh measures the issue's
// 24 MP / 4 MP cases against libjpeg-turbo, netpbm and ImageMagick in the same run.
//   dotnet run -c Release --project bench/Easel.Bench.Imaging -- --filter '*'
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private RgbaImage _photo = null!;
    private byte[] _jpeg420 = [];
    private byte[] _jpeg444 = [];
    private byte[] _png = [];

    [GlobalSetup]
    public void Setup()
    {
        _photo = SyntheticPhoto.Make(2048, 1536, alpha: true);
        _jpeg420 = ImageCodec.EncodeJpeg(_photo, 90, JpegSubsampling.Yuv420);
        _jpeg444 = ImageCodec.EncodeJpeg(_photo, 90, JpegSubsampling.Yuv444);
        _png = ImageCodec.EncodePng(_photo, 6);
    }

    [Benchmark]
    public RgbaImage DecodeJpeg420() => ImageCodec.Decode(_jpeg420);

    [Benchmark]
    public RgbaImage DecodeJpeg444() => ImageCodec.Decode(_jpeg444);

    [Benchmark]
    public byte[] EncodeJpeg420() => ImageCodec.EncodeJpeg(_photo, 90);

    [Benchmark]
    public RgbaImage DecodePng() => ImageCodec.Decode(_png);

    [Benchmark]
    public byte[] EncodePngLevel6() => ImageCodec.EncodePng(_photo, 6);

    [Benchmark]
    public RgbaImage Lanczos3Downscale() => Resampler.Resize(_photo, 512, 384);
}
