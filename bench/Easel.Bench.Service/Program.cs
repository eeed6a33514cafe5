using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Easel.Core.Engines;
using Easel.Core.Operations;
using Easel.Engines.Local;
using Easel.Imaging;

// Usage:
//   Easel.Bench.Service latency --url URL --key KEY [--runs 20] [--side 512]
//     create-to-completed of a SIDExSIDE upload-paint (25% to fill) against a running server, and the same engine
//     work alone in this process: the ratio is what the task system adds.
//   Easel.Bench.Service callbacks --url URL --key KEY (--db DATA/easel.db | --pg CONNECTION-STRING) [--tasks 1000]
//                                 [--burst cancel] [--warmup N]
//     (a server with Easel:Engine=passthrough) the delay from a task's end to its callback's arrival; --pg for a
//     server in scale-out mode (Easel:Database:Provider=postgres), pointing at the same database; --burst cancel:
//     pending tasks cancelled at once instead; --warmup N: a first round of N on the fresh server, reported apart.
//   Easel.Bench.Service metrics [--records N] [--scrapes N] [--routes N]
//     (no server) OpenTelemetry's Prometheus exporter against prometheus-net's meter adapter: the cost of a
//     measurement with each listening, the cost of a scrape, the names each gives Easel's instruments.
//   Easel.Bench.Service rehost --s3-endpoint URL --bucket NAME [--runs 200] [--warmup 20] [--side 1024]
//     (no server; an S3-compatible service, e.g. bench/blob-figures.sh's s3rver) an upstream's four results
//     re-hosted into the file store and into the bucket, alternately: time per 4-image task and the ratio.
var options = args.Select((a, i) => (a, i)).Where(p => p.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(p => p.a[2..], p => args.ElementAtOrDefault(p.i + 1) ?? "");
if (args.FirstOrDefault() == "metrics")
{
    return await MetricsCommand.RunAsync(options);
}
if (args.FirstOrDefault() == "rehost")
{
    return await RehostCommand.RunAsync(options);
}
if (!options.TryGetValue("url", out var baseUrl) || !options.TryGetValue("key", out var key))
{
    Console.Error.WriteLine("usage: Easel.Bench.Service latency|callbacks --url URL --key KEY [--runs N] [--db PATH | --pg CONNECTION-STRING] [--tasks N]");
    return 2;
}
if (args.FirstOrDefault() == "callbacks")
{
    return await CallbacksCommand.RunAsync(baseUrl, key, options);
}
if (args.FirstOrDefault() != "latency")
{
    Console.Error.WriteLine("usage: Easel.Bench.Service latency|callbacks ...");
    return 2;
}
var runs = options.TryGetValue("runs", out var r) ? int.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : 20;
// The canvas side (512 by default; issue 13's figure uses 1024): the image covers its top three quarters.
var side = options.TryGetValue("side", out var sideText) ? int.Parse(sideText, System.Globalization.CultureInfo.InvariantCulture) : 512;
if (side is < 64 or > 4096 || side % 4 != 0)
{
    Console.Error.WriteLine("--side must be a multiple of 4 between 64 and 4096");
    return 2;
}
var imageHeight = side * 3 / 4;
int[] band = [0, imageHeight + 16, side - 1, imageHeight + 16, side - 1, side - 1, 0, side - 1];

var source = Photo(side, imageHeight);
var png = ImageCodec.EncodePng(source);
using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

using var form = new MultipartFormDataContent { { new ByteArrayContent(png), "file", "source.png" } };
var uploaded = await (await http.PostAsync("/v1/files", form)).Content.ReadFromJsonAsync<JsonObject>();
var imageUrl = uploaded!["url"]!.GetValue<string>();

// The image covers the top three quarters; the bottom quarter (25%) is painted, the mask lies inside it.
var request = new
{
    model = "mj-v7-upload-paint",
    prompt = "benchmark",
    image_urls = new[] { imageUrl },
    model_params = new
    {
        canvas = new { width = side, height = side },
        img_pos = new { width = side, height = imageHeight, x = 0, y = 0 },
        mask = new { areas = new[] { new { width = side, height = side, points = band } } },
    },
};

var endToEnd = new List<double>();
for (var i = 0; i < runs + 3; i++)
{
    var clock = Stopwatch.StartNew();
    var created = await (await http.PostAsJsonAsync("/v1/images/generations", request)).Content.ReadFromJsonAsync<JsonObject>();
    var id = created!["id"]!.GetValue<string>();
    while (true)
    {
        var task = await http.GetFromJsonAsync<JsonObject>($"/v1/tasks/{id}");
        var status = task!["status"]!.GetValue<string>();
        if (status == "completed")
        {
            break;
        }
        if (status == "failed")
        {
            throw new InvalidOperationException(task.ToJsonString());
        }
        await Task.Delay(5);
    }
    if (i >= 3)
    {
        endToEnd.Add(clock.Elapsed.TotalMilliseconds);
    }
}

// The reference, in the same run: the engine alone on the same input, no HTTP, no database, no files.
var engine = new LocalEngine(new PatchMatchFiller());
var operation = new UploadPaint("benchmark", Speed.Fast, new ExternalImage(imageUrl), new CanvasSize(side, side),
    new Placement(side, imageHeight, 0, 0), new PolygonMask([new MaskArea(side, side, band)]));
var engineOnly = new List<double>();
for (var i = 0; i < runs + 3; i++)
{
    var clock = Stopwatch.StartNew();
    await engine.RunAsync(new EngineInput(operation, png, null, 12345 + i), new Progress<int>(), CancellationToken.None);
    if (i >= 3)
    {
        engineOnly.Add(clock.Elapsed.TotalMilliseconds);
    }
}


Console.WriteLine($"upload-paint {side}x{side}, 25% to fill, {runs} runs after 3 warm-up");
Console.WriteLine($"  create -> completed : median {Stats.Percentile(endToEnd, 0.5),7:0.0} ms   p90 {Stats.Percentile(endToEnd, 0.9),7:0.0} ms");
Console.WriteLine($"  engine alone        : median {Stats.Percentile(engineOnly, 0.5),7:0.0} ms   p90 {Stats.Percentile(engineOnly, 0.9),7:0.0} ms");
Console.WriteLine($"  ratio end-to-end / engine alone : {Stats.Percentile(endToEnd, 0.5) / Stats.Percentile(engineOnly, 0.5):0.00}x");
Console.WriteLine($"  ratio end-to-end / 1 s target   : {Stats.Percentile(endToEnd, 0.5) / 1000:0.00}x");
return 0;

// Photo-like: smooth light, edges and fine noise, so the PNG and the fill do realistic work.
static RgbaImage Photo(int width, int height)
{
    var image = new RgbaImage(width, height);
    var random = new Random(7);
    for (var y = 0; y < height; y++)
    {
        var row = image.Row(y);
        for (var x = 0; x < width; x++)
        {
            var light = 0.5 + (0.5 * Math.Sin(x / 40.0) * Math.Cos(y / 55.0));
            var edge = ((x / 64) + (y / 48)) % 2 == 0 ? 30 : 0;
            row[x * 4] = (byte)Math.Clamp((light * 180) + edge + random.Next(-8, 9), 0, 255);
            row[(x * 4) + 1] = (byte)Math.Clamp((light * 120) + (y / 4) + random.Next(-8, 9), 0, 255);
            row[(x * 4) + 2] = (byte)Math.Clamp(90 + edge + random.Next(-8, 9), 0, 255);
            row[(x * 4) + 3] = 255;
        }
    }
    return image;
}
