using System.Globalization;
using BenchmarkDotNet.Running;
using Easel.Bench.Upscale;
using Easel.Imaging;

// quality: per-photo PSNR, SSIM and ringing of Lanczos-3 and the upscaler; time: the 1024 -> 2048 figure with
// Lanczos-3 in the same run; bench: BenchmarkDotNet (arguments after "bench" go to it, e.g. --filter '*').
var command = args.Length > 0 ? args[0] : "quality";
string? Option(string name, string? fallback = null)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

int Number(string name, int fallback) => int.Parse(Option(name, fallback.ToString(CultureInfo.InvariantCulture))!, CultureInfo.InvariantCulture);
string[] Settings() => [.. args.Select((a, i) => (a, i)).Where(p => p.a == "--set" && p.i + 1 < args.Length).Select(p => args[p.i + 1])];

switch (command)
{
    case "quality":
        var models = Option("--models", "lanczos,box")!.Split(',').Select(m => Enum.Parse<Degradation>(m, ignoreCase: true)).ToList();
        return QualityCommand.Run(Option("--images", "/tmp/easel-photos")!, Number("--crop", 0), models, args.Contains("--tune-only"), Settings());
    case "time":
        var path = Option("--image");
        if (path is null)
        {
            Console.Error.WriteLine("time: --image PHOTO.png is required (its centre 1024x1024 is enlarged)");
            return 2;
        }

        var image = Degrade.EvenCrop(ImageCodec.Decode(File.ReadAllBytes(path)), Number("--size", 1024));
        return TimeCommand.Run(image, Number("--runs", 7), Number("--factor", 2), Settings());
    case "bench":
        BenchmarkSwitcher.FromAssembly(typeof(UpscaleBenchmarks).Assembly).Run(args[1..]);
        return 0;
    default:
        Console.Error.WriteLine("usage: quality [--images DIR] [--crop N] [--models lanczos,box] [--tune-only] [--set Option=Value ...] | time --image PHOTO.png [--size 1024] [--runs K] [--factor 2|4] [--set Option=Value ...] | bench [BenchmarkDotNet args]");
        return 2;
}
