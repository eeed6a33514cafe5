using System.Diagnostics;
using System.Globalization;
using System.Text;
using Easel.Imaging;

namespace Easel.Bench.Fill;

// quality [--images DIR] [--out DIR] [--size N] [--seeds K] [--kinds medium,thick]: every image x every mask kind
// (or the listed ones) x K mask seeds, filled by the baseline (fast marching) and by Easel (PatchMatch); scores per
// kind, a contact sheet per image (and with --fills, every first-mask fill at full resolution).
internal static class QualityCommand
{
    private const int Tile = 256;

    public static int Run(string? imagesDir, string outDir, int size, int maskSeeds, string? kindList, bool dumpFills, IReadOnlyList<string> settings)
    {
        Directory.CreateDirectory(outDir);
        var images = imagesDir is null ? ProceduralImages.All(size) : Load(imagesDir, size);
        if (images.Count == 0)
        {
            Console.Error.WriteLine($"No PNG images in {imagesDir}.");
            return 2;
        }

        var fillers = new (string Name, IHoleFiller Filler)[] { ("baseline", new FastMarchingFiller()), ("easel", new PatchMatchFiller(OptionSettings.Apply(settings))) };
        // A subset of kinds keeps the same masks as a full run: a mask's seed depends on its kind, not its position.
        var kinds = kindList is null ? Enum.GetValues<MaskKind>()
            : [.. kindList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(k => Enum.Parse<MaskKind>(k, ignoreCase: true))];
        var scores = new Dictionary<(MaskKind, string), List<FillScores>>();
        var seconds = new Dictionary<(MaskKind, string), double>();
        var csv = new StringBuilder("image,kind,mask_seed,coverage,filler,psnr,ssim,ssim_outer8,seam_error,hf_ratio,hole_energy,ring_energy,seconds\n");
        foreach (var (name, image) in images)
        {
            var sheetRows = new List<RgbaImage[]>();
            foreach (var kind in kinds)
            {
                for (var m = 0; m < maskSeeds; m++)
                {
                    // A stable seed (HashCode is randomised per process): the same masks on every run.
                    var mask = Masks.Make(kind, image.Width, image.Height, (StableHash(name) * 31) + ((int)kind * 1009) + m);
                    var row = new List<RgbaImage> { image, MaskPicture(mask) };
                    foreach (var (fillerName, filler) in fillers)
                    {
                        var watch = Stopwatch.StartNew();
                        var filled = filler.Fill(image, mask, 1, CancellationToken.None);
                        watch.Stop();
                        var s = Metrics.Score(image, filled, mask);
                        Add(scores, (kind, fillerName), s);
                        seconds[(kind, fillerName)] = seconds.GetValueOrDefault((kind, fillerName)) + watch.Elapsed.TotalSeconds;
                        csv.AppendLine(CultureInfo.InvariantCulture, $"{name},{kind},{m},{Masks.Coverage(mask):0.000},{fillerName},{s.Psnr:0.00},{s.Ssim:0.0000},{s.SsimOuter:0.0000},{s.SeamError:0.000},{s.HighFrequencyRatio:0.000},{s.HoleEnergy:0.000},{s.RingEnergy:0.000},{watch.Elapsed.TotalSeconds:0.000}");
                        row.Add(filled);
                        if (dumpFills && m == 0)
                        {
                            Dump(outDir, name, kind, fillerName, filled);
                        }
                    }

                    if (m == 0)
                    {
                        if (dumpFills)
                        {
                            Dump(outDir, name, kind, "original", image);
                            Dump(outDir, name, kind, "mask", row[1]);
                        }

                        sheetRows.Add([.. row]);
                    }
                }
            }

            File.WriteAllBytes(Path.Combine(outDir, $"sheet-{name}.png"), ImageCodec.EncodePng(ContactSheet(sheetRows)));
            Console.Error.WriteLine($"{name}: done");
        }

        File.WriteAllText(Path.Combine(outDir, "scores.csv"), csv.ToString());
        var table = Table(scores, seconds, kinds, images.Count * maskSeeds);
        File.WriteAllText(Path.Combine(outDir, "summary.md"), table);
        Console.WriteLine(table);
        return 0;
    }

    private static string Table(Dictionary<(MaskKind, string), List<FillScores>> scores, Dictionary<(MaskKind, string), double> seconds, MaskKind[] kinds, int fills)
    {
        var sb = new StringBuilder();
        // Three aggregates of the HF ratio, all reported: the mean of per-fill ratios (a fill whose ring is nearly
        // flat, e.g. a gradient, has a ratio of 5-20 and dominates it), their median, and the pooled ratio (sum of
        // the fills' in-hole energy per pixel over the sum of their ring energy per pixel), which weighs each fill
        // by how much texture surrounds it.
        sb.AppendLine("| mask | filler | PSNR hole (dB) | SSIM hole | SSIM outer 8 px | seam error | HF ratio mean | HF ratio median | HF ratio pooled | s per fill |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var kind in kinds)
        {
            foreach (var filler in new[] { "baseline", "easel" })
            {
                var list = scores[(kind, filler)];
                var ratios = list.Select(s => s.HighFrequencyRatio).Where(v => !double.IsNaN(v)).ToList();
                var hf = ratios.DefaultIfEmpty(double.NaN).Average();
                var pooled = list.Where(s => !double.IsNaN(s.HoleEnergy)).ToList();
                var ring = pooled.Sum(s => s.RingEnergy);
                var hfPooled = ring > 0 ? pooled.Sum(s => s.HoleEnergy) / ring : double.NaN;
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {kind.ToString().ToLowerInvariant()} | {filler} | {list.Average(s => s.Psnr):0.00} | {list.Average(s => s.Ssim):0.000} | {list.Average(s => s.SsimOuter):0.000} | {list.Average(s => s.SeamError):0.00} | {hf:0.00} | {Median(ratios):0.00} | {hfPooled:0.00} | {seconds[(kind, filler)] / fills:0.000} |");
            }
        }

        return sb.ToString();
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static void Dump(string outDir, string name, MaskKind kind, string what, RgbaImage image) =>
        File.WriteAllBytes(Path.Combine(outDir, $"fill-{name}-{kind.ToString().ToLowerInvariant()}-{what}.png"), ImageCodec.EncodePng(image));

    private static int StableHash(string text)
    {
        var h = 17;
        foreach (var c in text)
        {
            h = unchecked((h * 31) + c);
        }

        return h & 0x7FFFFFFF;
    }

    private static void Add(Dictionary<(MaskKind, string), List<FillScores>> scores, (MaskKind, string) key, FillScores s)
    {
        if (!scores.TryGetValue(key, out var list))
        {
            scores[key] = list = [];
        }

        list.Add(s);
    }

    private static List<(string, RgbaImage)> Load(string dir, int size)
    {
        var result = new List<(string, RgbaImage)>();
        foreach (var file in Directory.EnumerateFiles(dir, "*.png").Order(StringComparer.Ordinal))
        {
            RgbaImage image;
            try
            {
                image = ImageCodec.Decode(File.ReadAllBytes(file));
            }
            catch (ImageDecodeException e)
            {
                Console.Error.WriteLine($"skipped {file}: {e.Message}");
                continue;
            }

            // Centre square crop, scaled to size x size, opaque.
            var side = Math.Min(image.Width, image.Height);
            var crop = new RgbaImage(side, side);
            var x0 = (image.Width - side) / 2;
            var y0 = (image.Height - side) / 2;
            for (var y = 0; y < side; y++)
            {
                image.Row(y0 + y).Slice(x0 * 4, side * 4).CopyTo(crop.Row(y));
            }

            var scaled = Resampler.Resize(crop, size, size);
            for (var i = 3; i < scaled.Pixels.Length; i += 4)
            {
                scaled.Pixels[i] = 255;
            }

            result.Add((Path.GetFileNameWithoutExtension(file), scaled));
        }

        return result;
    }

    private static RgbaImage MaskPicture(AlphaMask mask)
    {
        var image = new RgbaImage(mask.Width, mask.Height);
        for (var i = 0; i < mask.Values.Length; i++)
        {
            image.Pixels.AsSpan(i * 4, 3).Fill(mask.Values[i]);
            image.Pixels[(i * 4) + 3] = 255;
        }

        return image;
    }

    // Rows of (original, mask, baseline, easel), each tile scaled to 256 px.
    private static RgbaImage ContactSheet(List<RgbaImage[]> rows)
    {
        var columns = rows.Max(r => r.Length);
        var sheet = new RgbaImage(columns * Tile, rows.Count * Tile);
        for (var r = 0; r < rows.Count; r++)
        {
            for (var c = 0; c < rows[r].Length; c++)
            {
                var tile = Resampler.Resize(rows[r][c], Tile, Tile);
                Compositor.DrawImage(sheet, tile, c * Tile, r * Tile);
            }
        }

        return sheet;
    }
}
