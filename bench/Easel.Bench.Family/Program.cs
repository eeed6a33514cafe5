using System.Diagnostics;
using System.Globalization;
using Easel.Core.Engines;
using Easel.Core.Operations;
using Easel.Engines.Local;
using Easel.Imaging;

// The local engine's outpaint and pan on a photo-like source, as a task runs them (decode, fill four variants,
// encode), with one PatchMatch fill of the same canvas measured in the same run as the reference. Usage:
//   dotnet run -c Release --project bench/Easel.Bench.Family -- [--size 1024] [--runs 3] [--what outpaint|pan|all]
string? Option(string name, string? fallback = null)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

var size = int.Parse(Option("--size", "1024")!, CultureInfo.InvariantCulture);
var runs = int.Parse(Option("--runs", "3")!, CultureInfo.InvariantCulture);
var what = Option("--what", "all")!;
var png = ImageCodec.EncodePng(Photo(size, size), 6);
var engine = new LocalEngine(new PatchMatchFiller());
var from = new SourceImage("task-bench", 0);

var cases = new List<(string Name, Operation Operation, double BudgetSeconds)>();
if (what is "all" or "outpaint")
{
    cases.Add(("outpaint 2.0", new Outpaint(null, Speed.Fast, from, 2.0m), 5.0));
}
if (what is "all" or "pan")
{
    cases.Add(("pan right 1.5", new Pan(null, Speed.Fast, from, PanDirection.Right, 1.5m), 2.0));
}

Console.WriteLine($"source {size}x{size} (procedural photo), {Environment.ProcessorCount} cores, load average {LoadAverage()}");
foreach (var (name, operation, budget) in cases)
{
    var canvas = ResultGeometry.SizeOf(operation, size, size);
    var times = new List<double>();
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    for (var r = 0; r < runs; r++)
    {
        var watch = Stopwatch.StartNew();
        var output = await engine.RunAsync(new EngineInput(operation, png, null, 1 + r), new Progress<int>(), CancellationToken.None);
        times.Add(watch.Elapsed.TotalSeconds);
        if (output.Images.Count != 4)
        {
            throw new InvalidOperationException("the engine gave other than four images");
        }
    }
    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds / runs;
    times.Sort();

    // The reference: one fill of the same canvas and hole, no decode or encode, the same filler.
    var (image, hole) = Hole(Photo(size, size), canvas, operation);
    var reference = Stopwatch.StartNew();
    _ = new PatchMatchFiller().Fill(image, hole, 7, CancellationToken.None);
    var one = reference.Elapsed.TotalSeconds;
    var median = times[times.Count / 2];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: {canvas.Width}x{canvas.Height} canvas, four variants encoded as PNG: median {median:0.00} s (min {times[0]:0.00}, max {times[^1]:0.00}) "
        + $"over {runs} runs, {cpu:0.00} s CPU per run; one fill of the same hole alone {one:0.00} s; ratio to one fill {median / one:0.00}; budget {budget:0.0} s, ratio to budget {median / budget:0.00}"));
}
return 0;

static (RgbaImage Canvas, AlphaMask Hole) Hole(RgbaImage source, CanvasSize size, Operation operation)
{
    var (x, y) = operation is Pan ? (0, 0) : ((size.Width - source.Width) / 2, (size.Height - source.Height) / 2);
    var canvas = new RgbaImage(size.Width, size.Height);
    Compositor.DrawImage(canvas, source, x, y);
    var hole = new AlphaMask(size.Width, size.Height);
    for (var i = 0; i < hole.Values.Length; i++)
    {
        hole.Values[i] = (byte)(255 - canvas.Pixels[(i * 4) + 3]);
    }
    return (canvas, hole);
}

// Sky, hills and a textured foreground: smooth regions, edges and texture, as photos have.
static RgbaImage Photo(int width, int height)
{
    var image = new RgbaImage(width, height);
    var random = new Random(5);
    var noise = new float[(width / 4 + 2) * (height / 4 + 2)];
    for (var i = 0; i < noise.Length; i++)
    {
        noise[i] = random.NextSingle();
    }
    for (var y = 0; y < height; y++)
    {
        var row = image.Row(y);
        for (var x = 0; x < width; x++)
        {
            var ridge = height * (0.45 + (0.08 * Math.Sin(x * 0.012)) + (0.04 * Math.Sin(x * 0.037)));
            var grain = noise[((y / 4) * (width / 4 + 2)) + (x / 4)];
            var (r, g, b) = y < ridge
                ? (90 + (y * 80 / height), 140 + (y * 60 / height), 220 - (y * 40 / height))
                : (60 + (int)(grain * 70), 110 + (int)(grain * 60), 40 + (int)(grain * 30));
            row[x * 4] = (byte)Math.Clamp(r, 0, 255);
            row[(x * 4) + 1] = (byte)Math.Clamp(g, 0, 255);
            row[(x * 4) + 2] = (byte)Math.Clamp(b, 0, 255);
            row[(x * 4) + 3] = 255;
        }
    }
    return image;
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
