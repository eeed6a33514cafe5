using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Easel.Imaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Easel.Testing.UpstreamFakes;

/// <summary>What the fake cog server does with a prediction.</summary>
public enum CogBehaviour
{
    Succeed,
    /// <summary>500 to every PUT (the server's own fault).</summary>
    ServerError,
    /// <summary>503 {"error", "status": "failed"}: setup has not finished.</summary>
    NotReady,
    /// <summary>The prediction fails: status failed with the model's error.</summary>
    Fail,
    /// <summary>Outputs that are data: URLs of text, not images.</summary>
    OutputsNotImages,
    /// <summary>One output where num_outputs asked for more (a model that ignores the count).</summary>
    TooFewOutputs,
    /// <summary>An output of <see cref="FakeCog.OversizeBytes"/> bytes.</summary>
    TooLarge,
    /// <summary>The prediction finishes but its terminal webhook is never sent.</summary>
    NoWebhook,
    /// <summary>Runs until cancelled.</summary>
    Hold,
}

/// <summary>
/// Which model the fake cog server runs (a cog container serves one): its inputs, which of them it requires, and what
/// it returns. Each is shaped on a public cog model of its kind.
/// </summary>
public enum CogModel
{
    /// <summary>Text to image with optional image and mask (as stability-ai/sdxl): prompt required; a list of num_outputs files.</summary>
    Diffusion,
    /// <summary>
    /// An inpainting model (as stability-ai/stable-diffusion-inpainting): prompt, image and mask required, the mask of the
    /// image's size (else the prediction fails, as the pipeline raises); a list of num_outputs files, each the image
    /// where the mask is black and the prompt's colour where it is white.
    /// </summary>
    Inpainting,
    /// <summary>Image to image (an upscaler, an enhancer, a ControlNet retexture): image required, prompt optional; a list of num_outputs files.</summary>
    ImageToImage,
    /// <summary>
    /// Background removal (as cjwbw/rembg): image its only input (everything else dropped); one file, not a list: the
    /// image with every pixel of its top-left pixel's colour made transparent.
    /// </summary>
    RemoveBackground,
}

/// <summary>One prediction the fake made: what it received (its inputs as validated, the images it downloaded) and how it ended.</summary>
public sealed class FakeCogPrediction(string id, JsonObject input, string? webhook, IReadOnlyList<string> events)
{
    public string Id { get; } = id;
    public JsonObject Input { get; } = input;
    public string? Webhook { get; } = webhook;
    public IReadOnlyList<string> Events { get; } = events;

    /// <summary>When the fake read the PUT that made it (a Stopwatch timestamp): the relay benchmark's arrival time.</summary>
    public long ReceivedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();
    public RgbaImage? Image { get; set; }
    public RgbaImage? Mask { get; set; }
    private volatile string _status = "starting";

    public string Status
    {
        get => _status;
        set => _status = value;
    }

    public CancellationTokenSource Cancel { get; } = new();
    public JsonObject Snapshot { get; set; } = new();

    public string Prompt => Input["prompt"]?.GetValue<string>() ?? "";
    public long Seed => Input["seed"]?.GetValue<long>() ?? 0;
}

/// <summary>
/// A model packaged with cog, on 127.0.0.1, speaking cog's HTTP API as docs/UPSTREAM-COG.md gives it (coglet's
/// answers): <c>PUT /predictions/{id}</c> (with <c>Prefer: respond-async</c> 202 <c>{id, status: starting}</c>; a PUT with
/// the id of a running prediction answers 202 with it and makes none; once finished, the same id makes a new one),
/// <see cref="Concurrency"/> slots (409 when all are busy), input validation against its own schema with 422
/// <c>{"detail":[{"loc":["body","input",field],"msg","type"}]}</c> (unknown inputs dropped, as coglet does), the webhook
/// POSTed with the whole prediction for the events of <c>webhook_events_filter</c>, the terminal one retried as cog
/// retries it (on a connection error or 429/500/502/503/504, up to 12 times, backoff <see cref="RetryBase"/> x 2^n),
/// and <c>POST /predictions/{id}/cancel</c> (200/404). Its model (<see cref="Model"/>) takes prompt, negative_prompt,
/// seed, width, height, num_outputs (1-4), image and mask (URLs it downloads, http(s) or data:, which must decode as
/// images, and a mask must be of the image's size), prompt_strength, scale, and requires what its kind requires.
/// Outputs are data: URLs of PNGs painted in <see cref="Colour"/> of the prompt and seed + index (the source's size when
/// an image is given; an inpainting model keeps the image where the mask is black; background removal cuts out the
/// image's background), so a test can tell what arrived. Each fault is a <see cref="CogBehaviour"/>.
/// </summary>
public sealed class FakeCog : IAsyncDisposable
{
    private static readonly string[] Terminal = ["succeeded", "failed", "canceled"];
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, FakeCogPrediction> _running = new();
    private readonly ConcurrentQueue<FakeCogPrediction> _made = new();
    private readonly ConcurrentQueue<(string Event, int Status)> _deliveries = new();
    private readonly object _slots = new();
    private readonly ConcurrentDictionary<string, int> _puts = new();
    private HttpClient _client = new();

    private FakeCog(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public CogBehaviour Behaviour { get; set; } = CogBehaviour.Succeed;

    /// <summary>The model the server runs (set before the first prediction).</summary>
    public CogModel Model { get; set; } = CogModel.Diffusion;

    /// <summary>How long a prediction runs (0: it finishes at once, for a benchmark).</summary>
    public TimeSpan WorkTime { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Predictions at once (cog's concurrency.max; default 1).</summary>
    public int Concurrency { get; set; } = 1;

    /// <summary>The first retry's wait is twice this (cog: 100 ms).</summary>
    public TimeSpan RetryBase { get; set; } = TimeSpan.FromMilliseconds(100);

    public int OversizeBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Every prediction made, in order (a PUT that found its id running made none).</summary>
    public IReadOnlyList<FakeCogPrediction> Predictions => _made.ToList();

    /// <summary>Every webhook request sent: its event and the status it was answered with (0: no connection).</summary>
    public IReadOnlyList<(string Event, int Status)> Deliveries => _deliveries.ToList();

    public int Cancels { get; private set; }

    /// <summary>Makes the prediction, then holds the PUT's answer until the caller goes away (a crash window).</summary>
    public bool HoldAnswers { get; set; }

    public TaskCompletionSource HeldAnswerArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Every PUT by id, including those answered with a running prediction.</summary>
    public IReadOnlyDictionary<string, int> PutsById => new Dictionary<string, int>(_puts);

    /// <summary>
    /// The client the fake downloads image inputs and sends webhooks with: by default a plain one; a test whose Easel
    /// runs in memory gives its handler.
    /// </summary>
    public void UseHandler(HttpMessageHandler handler) => _client = new HttpClient(handler);

    public static async Task<FakeCog> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 100 * 1024 * 1024);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeCog(app);
        app.MapPut("/predictions/{id}", (HttpContext http, string id) => fake.PutAsync(http, id));
        app.MapPost("/predictions/{id}/cancel", (HttpContext http, string id) => fake.CancelAsync(http, id));
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return fake;
    }

    /// <summary>The colour of output <c>n</c> of a prediction with this prompt and seed: seed + n.</summary>
    public static (byte R, byte G, byte B) Colour(string prompt, long seed) => FakeSdWebui.Colour(prompt, seed);

    private async Task PutAsync(HttpContext http, string id)
    {
        _puts.AddOrUpdate(id, 1, (_, n) => n + 1);
        if (Behaviour == CogBehaviour.ServerError)
        {
            http.Response.StatusCode = 500;
            await http.Response.WriteAsync("Internal Server Error");
            return;
        }
        if (Behaviour == CogBehaviour.NotReady)
        {
            await JsonAsync(http, 503, new JsonObject { ["error"] = "Setup has not finished", ["status"] = "failed" });
            return;
        }
        JsonObject? body;
        try
        {
            body = http.Request.ContentLength == 0 ? new JsonObject() : await JsonNode.ParseAsync(http.Request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }
        if (body is null)
        {
            await InvalidAsync(http, [Problem(["body"], "Input should be a valid dictionary", "dict_type")]);
            return;
        }
        if (body["id"] is JsonValue given && given.GetValueKind() == JsonValueKind.String && given.GetValue<string>() != id)
        {
            await InvalidAsync(http, [Problem(["body", "id"], "prediction ID must match the ID supplied in the URL", "value_error")]);
            return;
        }
        if (_running.TryGetValue(id, out var existing))
        {
            var snapshot = existing.Snapshot.DeepClone().AsObject();
            snapshot["input"] = existing.Input.DeepClone();
            await JsonAsync(http, 202, snapshot);
            return;
        }
        var input = body["input"] as JsonObject ?? [];
        var problems = Validate(input);
        if (problems.Count > 0)
        {
            await InvalidAsync(http, problems);
            return;
        }
        var events = body["webhook_events_filter"] is JsonArray filter
            ? filter.Select(e => e?.GetValue<string>() ?? "").ToList() : ["start", "output", "logs", "completed"];
        var prediction = new FakeCogPrediction(id, input, body["webhook"]?.GetValue<string>(), events);
        lock (_slots)
        {
            if (_running.Count >= Concurrency)
            {
                prediction = null;
            }
            else
            {
                _running[id] = prediction;
                _made.Enqueue(prediction);
            }
        }
        if (prediction is null)
        {
            await JsonAsync(http, 409, new JsonObject { ["error"] = "At capacity - all prediction slots busy", ["status"] = "failed" });
            return;
        }
        prediction.Snapshot = State(prediction);
        var run = RunAsync(prediction);
        if (HoldAnswers)
        {
            HeldAnswerArrived.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, http.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }
        if (http.Request.Headers["Prefer"] == "respond-async")
        {
            await JsonAsync(http, 202, new JsonObject { ["id"] = id, ["status"] = "starting" });
            return;
        }
        await run;
        await JsonAsync(http, 200, prediction.Snapshot);
    }

    private async Task RunAsync(FakeCogPrediction prediction)
    {
        await Task.Yield();
        try
        {
            prediction.Image = await DownloadAsync(prediction.Input["image"]?.GetValue<string>());
            prediction.Mask = await DownloadAsync(prediction.Input["mask"]?.GetValue<string>());
        }
        catch (Exception e) when (e is HttpRequestException or FormatException or ImageDecodeException)
        {
            Finish(prediction, "failed", error: $"could not download the input: {e.Message}");
            await DeliverAsync(prediction, "completed");
            return;
        }
        if (prediction is { Image: { } image, Mask: { } mask } && (image.Width, image.Height) != (mask.Width, mask.Height))
        {
            // What a diffusers inpainting pipeline raises from run(): the prediction fails with it.
            Finish(prediction, "failed", error: $"ValueError: the mask is {mask.Width}x{mask.Height} but the image is {image.Width}x{image.Height}");
            await DeliverAsync(prediction, "completed");
            return;
        }
        prediction.Status = "processing";
        prediction.Snapshot = State(prediction);
        await DeliverAsync(prediction, "start");
        try
        {
            await Task.Delay(Behaviour == CogBehaviour.Hold ? Timeout.InfiniteTimeSpan : WorkTime, prediction.Cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Finish(prediction, "canceled");
            await DeliverAsync(prediction, "completed");
            return;
        }
        switch (Behaviour)
        {
            case CogBehaviour.Fail:
                Finish(prediction, "failed", error: "CUDA out of memory. Tried to allocate 2.00 GiB");
                break;
            default:
                Finish(prediction, "succeeded", output: Outputs(prediction));
                break;
        }
        if (Behaviour != CogBehaviour.NoWebhook)
        {
            await DeliverAsync(prediction, "completed");
        }
    }

    private JsonNode Outputs(FakeCogPrediction prediction)
    {
        if (Model == CogModel.RemoveBackground && Behaviour == CogBehaviour.Succeed)
        {
            // rembg's run() returns one Path: the output is that file, not a list.
            return JsonValue.Create("data:image/png;base64," + Convert.ToBase64String(Cutout(prediction.Image!)))!;
        }
        var count = Behaviour == CogBehaviour.TooFewOutputs ? 1 : prediction.Input["num_outputs"]?.GetValue<int>() ?? 1;
        var (width, height) = prediction.Image is { } source ? (source.Width, source.Height)
            : (prediction.Input["width"]?.GetValue<int>() ?? 64, prediction.Input["height"]?.GetValue<int>() ?? 64);
        var scale = prediction.Input["scale"]?.GetValue<int>() ?? 1;
        var outputs = new JsonArray();
        for (var n = 0; n < count; n++)
        {
            outputs.Add(Behaviour switch
            {
                CogBehaviour.OutputsNotImages => "data:text/plain;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes("not an image")),
                CogBehaviour.TooLarge => "data:image/png;base64," + new string('A', (OversizeBytes + 2) / 3 * 4),
                _ when Model == CogModel.Inpainting => "data:image/png;base64," + Convert.ToBase64String(Repaint(prediction.Image!, prediction.Mask!, prediction.Prompt, prediction.Seed + n)),
                _ => "data:image/png;base64," + Convert.ToBase64String(Paint(prediction.Prompt, prediction.Seed + n, width * scale, height * scale)),
            });
        }
        return outputs;
    }

    private void Finish(FakeCogPrediction prediction, string status, JsonNode? output = null, string? error = null)
    {
        prediction.Status = status;
        var state = State(prediction);
        if (output is not null)
        {
            state["output"] = output;
        }
        if (error is not null)
        {
            state["error"] = error;
        }
        state["metrics"] = new JsonObject { ["predict_time"] = WorkTime.TotalSeconds };
        prediction.Snapshot = state;
        // As coglet: a finished prediction is forgotten at once, whatever becomes of its webhook.
        _running.TryRemove(prediction.Id, out _);
    }

    private static JsonObject State(FakeCogPrediction prediction) =>
        new() { ["id"] = prediction.Id, ["status"] = prediction.Status, ["logs"] = "", ["metrics"] = new JsonObject() };

    private async Task DeliverAsync(FakeCogPrediction prediction, string @event)
    {
        if (prediction.Webhook is null || !prediction.Events.Contains(@event))
        {
            return;
        }
        var body = prediction.Snapshot.ToJsonString();
        var terminal = Terminal.Contains(prediction.Status);
        for (var attempt = 0; ; attempt++)
        {
            int status;
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await _client.PostAsync(prediction.Webhook, content);
                status = (int)response.StatusCode;
            }
            catch (HttpRequestException)
            {
                status = 0;
            }
            _deliveries.Enqueue((@event, status));
            var retry = status is 0 or 429 or 500 or 502 or 503 or 504;
            if (!terminal || !retry || attempt >= 12)
            {
                return;
            }
            await Task.Delay(RetryBase * (1 << Math.Min(attempt + 1, 10)));
        }
    }

    private async Task<RgbaImage?> DownloadAsync(string? url)
    {
        if (url is null)
        {
            return null;
        }
        byte[] bytes;
        if (url.StartsWith("data:", StringComparison.Ordinal))
        {
            // data:[<media type>];base64,<data>: cog reads base64 only.
            var comma = url.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0 || !url[..comma].EndsWith(";base64", StringComparison.Ordinal))
            {
                throw new FormatException("a data: URL without ;base64,");
            }
            bytes = Convert.FromBase64String(url[(comma + 1)..]);
        }
        else
        {
            bytes = await _client.GetByteArrayAsync(url);
        }
        return ImageCodec.Decode(bytes);
    }

    private async Task CancelAsync(HttpContext http, string id)
    {
        Cancels++;
        if (_running.TryGetValue(id, out var prediction))
        {
            await prediction.Cancel.CancelAsync();
            await JsonAsync(http, 200, new JsonObject());
            return;
        }
        await JsonAsync(http, 404, new JsonObject());
    }

    /// <summary>The model's schema, checked as coglet checks it: types, required inputs, ranges; unknown inputs dropped.</summary>
    private List<JsonObject> Validate(JsonObject input)
    {
        var problems = new List<JsonObject>();
        var known = new Dictionary<string, JsonValueKind>
        {
            ["prompt"] = JsonValueKind.String, ["negative_prompt"] = JsonValueKind.String, ["seed"] = JsonValueKind.Number,
            ["width"] = JsonValueKind.Number, ["height"] = JsonValueKind.Number, ["num_outputs"] = JsonValueKind.Number,
            ["image"] = JsonValueKind.String, ["mask"] = JsonValueKind.String, ["prompt_strength"] = JsonValueKind.Number,
            ["scale"] = JsonValueKind.Number,
        };
        if (Model == CogModel.RemoveBackground)
        {
            known = new Dictionary<string, JsonValueKind> { ["image"] = JsonValueKind.String };
        }
        foreach (var name in input.Select(p => p.Key).Where(k => !known.ContainsKey(k)).ToList())
        {
            input.Remove(name);
        }
        string[] required = Model switch
        {
            CogModel.Inpainting => ["prompt", "image", "mask"],
            CogModel.ImageToImage or CogModel.RemoveBackground => ["image"],
            _ => ["prompt"],
        };
        foreach (var name in required.Where(r => input[r] is null))
        {
            problems.Add(Problem(["body", "input", name], "Field required", "missing"));
        }
        foreach (var (name, kind) in known)
        {
            if (input[name] is { } value && value.GetValueKind() != kind)
            {
                problems.Add(Problem(["body", "input", name], kind == JsonValueKind.Number ? "Input should be a valid number" : "Input should be a valid string",
                    kind == JsonValueKind.Number ? "float_type" : "string_type"));
            }
        }
        if (problems.Count > 0)
        {
            return problems;
        }
        void Range(string name, double least, double most)
        {
            if (input[name] is { } value && (value.GetValue<double>() < least || value.GetValue<double>() > most))
            {
                problems.Add(Problem(["body", "input", name], $"Input should be between {least} and {most}", "range"));
            }
        }
        Range("num_outputs", 1, 4);
        Range("width", 8, 2048);
        Range("height", 8, 2048);
        Range("prompt_strength", 0, 1);
        Range("scale", 1, 4);
        return problems;
    }

    private static JsonObject Problem(string[] location, string message, string type) =>
        new() { ["loc"] = new JsonArray(location.Select(l => (JsonNode?)l).ToArray()), ["msg"] = message, ["type"] = type };

    private static Task InvalidAsync(HttpContext http, IEnumerable<JsonObject> problems) =>
        JsonAsync(http, 422, new JsonObject { ["detail"] = new JsonArray(problems.Select(p => (JsonNode?)p).ToArray()) });

    private static async Task JsonAsync(HttpContext http, int status, JsonObject body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(body.ToJsonString());
    }

    /// <summary>An image in the colour of the prompt and seed (painted as A1111's fake paints it).</summary>
    public static byte[] Paint(string prompt, long seed, int width, int height) => FakeSdWebui.Paint(prompt, seed, width, height);

    /// <summary>The inpainting model's output: the image (made opaque) where the mask is black, the prompt's colour where it is white, blended between.</summary>
    public static byte[] Repaint(RgbaImage image, RgbaImage mask, string prompt, long seed)
    {
        var (r, g, b) = Colour(prompt, seed);
        var result = new RgbaImage(image.Width, image.Height);
        var (from, into) = (image.Pixels, result.Pixels);
        for (var i = 0; i < into.Length; i += 4)
        {
            // A model reads the mask as grey (its first channel) and the image as RGB: a transparent pixel is its colour, black.
            int m = mask.Pixels[i];
            into[i] = (byte)(((from[i] * (255 - m)) + (r * m)) / 255);
            into[i + 1] = (byte)(((from[i + 1] * (255 - m)) + (g * m)) / 255);
            into[i + 2] = (byte)(((from[i + 2] * (255 - m)) + (b * m)) / 255);
            into[i + 3] = 255;
        }
        return ImageCodec.EncodePng(result, 1);
    }

    /// <summary>Background removal: every pixel of the top-left pixel's colour transparent, the rest kept opaque.</summary>
    public static byte[] Cutout(RgbaImage image)
    {
        var result = new RgbaImage(image.Width, image.Height);
        var (from, into) = (image.Pixels, result.Pixels);
        for (var i = 0; i < into.Length; i += 4)
        {
            var background = from[i] == from[0] && from[i + 1] == from[1] && from[i + 2] == from[2];
            (into[i], into[i + 1], into[i + 2], into[i + 3]) = (from[i], from[i + 1], from[i + 2], background ? (byte)0 : (byte)255);
        }
        return ImageCodec.EncodePng(result, 1);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var prediction in _running.Values)
        {
            await prediction.Cancel.CancelAsync();
        }
        await _app.StopAsync();
        await _app.DisposeAsync();
        _client.Dispose();
    }
}
