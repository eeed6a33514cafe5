using System.Diagnostics;
using System.Globalization;
using Easel.Imaging;
using Easel.Imaging.Geometry;

namespace Easel.Bench.Upscale;

// The issue's quality figure: each photo is halved (the degradation model), enlarged back by Lanczos-3 and by the
// upscaler, and both are scored against the original. Every fifth photo (in name order, from the first) is the
// tuning set the options were chosen on; the others are held out, and their mean is the figure.
internal static class QualityCommand
{
    public static int Run(string dir, int crop, IReadOnlyList<Degradation> models, bool tuneOnly, IReadOnlyList<string> settings)
    {
        var options = OptionSettings.Apply(settings);
        var files = Directory.EnumerateFiles(dir, "*.png").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            Console.Error.WriteLine($"quality: no PNG files in {dir} (bench/Easel.Bench.Fill/debian-photos.sh makes them)");
            return 2;
        }

        var photos = files.Select((f, i) => (Name: Path.GetFileNameWithoutExtension(f), Tune: i % 5 == 0, File: f))
            .Where(p => !tuneOnly || p.Tune)
            .Select(p => (p.Name, p.Tune, Image: Degrade.EvenCrop(ImageCodec.Decode(File.ReadAllBytes(p.File)), crop)))
            .ToList();
        foreach (var model in models)
        {
            Console.WriteLine($"degradation: {model} 2:1; {photos.Count} photos{(crop > 0 ? $", centre {crop} px at most" : "")}");
            Console.WriteLine("| photo | set | size | PSNR Lanczos | PSNR easel | dPSNR | SSIM Lanczos | SSIM easel | dSSIM | ringing Lanczos | ringing easel | easel s |");
            Console.WriteLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            var rows = new List<(bool Tune, UpscaleScores Lanczos, UpscaleScores Easel)>();
            foreach (var (name, tune, original) in photos)
            {
                var small = Degrade.Half(original, model);
                var lanczos = Resampler.Resize(small, original.Width, original.Height, ResampleFilter.Lanczos3);
                var watch = Stopwatch.StartNew();
                var easel = Upscaler.Upscale(small, 2, options, CancellationToken.None);
                var seconds = watch.Elapsed.TotalSeconds;
                var l = UpscaleMetrics.Score(original, lanczos);
                var e = UpscaleMetrics.Score(original, easel);
                rows.Add((tune, l, e));
                Console.WriteLine(Row(name, tune ? "tune" : "held out", $"{original.Width}x{original.Height}", l, e, seconds.ToString("0.000", CultureInfo.InvariantCulture)));
            }

            foreach (var (label, tune) in new[] { ("mean, held out", false), ("mean, tuning set", true) })
            {
                var set = rows.Where(r => r.Tune == tune).ToList();
                if (set.Count > 0)
                {
                    Console.WriteLine(Row($"**{label}** ({set.Count})", "", "", Mean(set.Select(r => r.Lanczos)), Mean(set.Select(r => r.Easel)), ""));
                }
            }

            Console.WriteLine();
        }

        return 0;
    }

    private static UpscaleScores Mean(IEnumerable<UpscaleScores> scores)
    {
        var list = scores.ToList();
        return new UpscaleScores(list.Average(s => s.Psnr), list.Average(s => s.Ssim), list.Average(s => s.Ringing));
    }

    private static string Row(string name, string set, string size, UpscaleScores l, UpscaleScores e, string seconds) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {set} | {size} | {l.Psnr:0.00} | {e.Psnr:0.00} | {e.Psnr - l.Psnr:+0.00;-0.00;0.00} | {l.Ssim:0.0000} | {e.Ssim:0.0000} | {e.Ssim - l.Ssim:+0.0000;-0.0000;0.0000} | {l.Ringing:0.000} | {e.Ringing:0.000} | {seconds} |");
}
