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

/// <summary>How the fake A1111 server answers a render.</summary>
public enum SdWebuiBehaviour
{
    Answer,
    /// <summary>500 from A1111's exception middleware (a CUDA out-of-memory, say).</summary>
    ServerError,
    /// <summary>401 whatever the credentials, as a server whose --api-auth changed.</summary>
    Unauthorized,
    /// <summary>422 with FastAPI's validation shape, whatever the body.</summary>
    Invalid,
    /// <summary>Never answers: holds the request until the caller aborts it (recorded as <see cref="FakeSdWebuiCall.Aborted"/>).</summary>
    Slow,
    ResultsNotImages,
}

/// <summary>One render the fake received, as it read it; for img2img the init image and mask decoded.</summary>
public sealed record FakeSdWebuiCall(string Route, string Prompt, string NegativePrompt, long Seed, int BatchSize, int Width, int Height,
    int Steps, string? Sampler, string? Checkpoint, decimal? Denoising, int? InpaintingFill, RgbaImage? Init, RgbaImage? Mask)
{
    /// <summary>When the fake read the call (a Stopwatch timestamp): the relay benchmark's arrival time.</summary>
    public long ReceivedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    private volatile bool _aborted;

    public bool Aborted
    {
        get => _aborted;
        set => _aborted = value;
    }
}

/// <summary>
/// AUTOMATIC1111's API on 127.0.0.1 as ../shared/UPSTREAMS.md section 2 gives it: POST /sdapi/v1/txt2img, /img2img and
/// /interrupt; HTTP Basic auth as --api-auth makes it (401 with <c>WWW-Authenticate: Basic</c> and
/// <c>{"detail":"Incorrect username or password"}</c>); a body that is not the request model's is FastAPI's 422
/// <c>{"detail":[{loc,msg,type}]}</c>; an unknown sampler or no init image the 404s of api.py; answers
/// <c>{images:[base64 PNG], parameters, info: JSON string}</c>. Images are width x height, batch_size of them, painted in
/// <see cref="Colour"/> of the prompt and each image's seed (seed, seed+1, ...), so a test can tell both arrived. Stricter
/// than A1111 where a lax answer would hide an adapter's mistake: sizes must be multiples of 8, and a mask must be an
/// opaque PNG of the init image's size (A1111 would stretch it silently). Each fault is a setting.
/// </summary>
public sealed class FakeSdWebui : IAsyncDisposable
{
    public const string User = "easel";
    public const string Password = "secret";
    public const string ApiKey = User + ":" + Password;

    public static readonly string[] Samplers = ["Euler a", "Euler", "DPM++ 2M"];

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeSdWebuiCall> _calls = new();
    private int _interrupts;

    private FakeSdWebui(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public SdWebuiBehaviour Behaviour { get; set; } = SdWebuiBehaviour.Answer;

    /// <summary>How long a render takes before it is answered (a fault comes after it too).</summary>
    public TimeSpan WorkTime { get; set; } = TimeSpan.FromMilliseconds(50);

    public IReadOnlyList<FakeSdWebuiCall> Calls => _calls.ToList();

    public int Interrupts => Volatile.Read(ref _interrupts);

    public static async Task<FakeSdWebui> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeSdWebui(app);
        app.MapPost("/sdapi/v1/txt2img", http => fake.RenderAsync(http, img2img: false));
        app.MapPost("/sdapi/v1/img2img", http => fake.RenderAsync(http, img2img: true));
        app.MapPost("/sdapi/v1/interrupt", async http =>
        {
            if (await AuthorisedAsync(http))
            {
                Interlocked.Increment(ref fake._interrupts);
                await http.Response.WriteAsJsonAsync(new JsonObject());
            }
        });
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return fake;
    }

    /// <summary>The colour of an image rendered from the prompt with the seed, as a test computes it.</summary>
    public static (byte R, byte G, byte B) Colour(string prompt, long seed) => FakeGateway.ColourOf($"{prompt}#{seed}", 0);

    private async Task RenderAsync(HttpContext http, bool img2img)
    {
        if (!await AuthorisedAsync(http) || Behaviour == SdWebuiBehaviour.Unauthorized && await RefuseAsync(http))
        {
            return;
        }
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }
        var problems = new JsonArray();
        if (body is null)
        {
            problems.Add(Problem("body", "value is not a valid dict", "type_error.dict"));
            await InvalidAsync(http, problems);
            return;
        }
        var request = new RequestModel(body, problems);
        var prompt = request.String("prompt") ?? "";
        var negative = request.String("negative_prompt") ?? "";
        var batch = request.Integer("batch_size") ?? 1;
        var iterations = request.Integer("n_iter") ?? 1;
        var steps = request.Integer("steps") ?? 50;
        _ = request.Number("cfg_scale");
        var width = request.Integer("width") ?? 512;
        var height = request.Integer("height") ?? 512;
        var seed = request.Integer("seed") ?? -1;
        var sampler = request.String("sampler_name");
        var checkpoint = request.Object("override_settings")?["sd_model_checkpoint"]?.GetValue<string>();
        decimal? denoising = img2img ? request.Number("denoising_strength") ?? 0.75m : null;
        int? fill = img2img ? request.Integer("inpainting_fill") ?? 0 : null;
        var init = img2img ? request.StringArray("init_images") : null;
        var mask = img2img ? request.String("mask") : null;
        foreach (var flag in new[] { "send_images", "save_images", "inpaint_full_res" })
        {
            request.Boolean(flag);
        }
        foreach (var number in new[] { "mask_blur", "inpainting_mask_invert", "resize_mode" })
        {
            request.Integer(number);
        }
        if (batch is < 1 or > 8 || iterations is < 1 or > 8 || steps is < 1 or > 150 || width % 8 != 0 || height % 8 != 0
            || width is < 8 or > 4096 || height is < 8 or > 4096)
        {
            problems.Add(Problem("body", "batch_size, n_iter, steps or the size is out of range (sizes are multiples of 8)", "value_error"));
        }
        if (Behaviour == SdWebuiBehaviour.Invalid)
        {
            problems.Add(Problem("steps", "ensure this value is less than or equal to 150", "value_error.number.not_le"));
        }
        if (problems.Count > 0)
        {
            await InvalidAsync(http, problems);
            return;
        }
        if (sampler is not null && !Samplers.Contains(sampler))
        {
            await MiddlewareErrorAsync(http, 404, "HTTPException", "Sampler not found");
            return;
        }
        RgbaImage? initImage = null, maskImage = null;
        if (img2img)
        {
            if (init is not { Count: > 0 })
            {
                await MiddlewareErrorAsync(http, 404, "HTTPException", "Init image not found");
                return;
            }
            initImage = DecodeImage(init[0]);
            maskImage = mask is null ? null : DecodeImage(mask);
            if (initImage is null || mask is not null && maskImage is null)
            {
                await MiddlewareErrorAsync(http, 500, "ValueError", "Invalid encoded image");
                return;
            }
            if (maskImage is not null && (maskImage.Width != initImage.Width || maskImage.Height != initImage.Height || !Opaque(maskImage)))
            {
                await InvalidAsync(http, [Problem("mask", $"the mask is {maskImage.Width}x{maskImage.Height}, not an opaque PNG of the init image's {initImage.Width}x{initImage.Height}", "value_error")]);
                return;
            }
        }
        var call = new FakeSdWebuiCall(img2img ? "img2img" : "txt2img", prompt, negative, seed, batch * iterations, width, height, steps,
            sampler, checkpoint, denoising, fill, initImage, maskImage);
        _calls.Enqueue(call);
        try
        {
            await Task.Delay(Behaviour == SdWebuiBehaviour.Slow ? Timeout.InfiniteTimeSpan : WorkTime, http.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            call.Aborted = true;
            return;
        }
        if (Behaviour == SdWebuiBehaviour.ServerError)
        {
            await MiddlewareErrorAsync(http, 500, "OutOfMemoryError", "CUDA out of memory. Tried to allocate 2.00 GiB");
            return;
        }
        await AnswerAsync(http, call, body);
    }

    private async Task AnswerAsync(HttpContext http, FakeSdWebuiCall call, JsonObject body)
    {
        var first = call.Seed == -1 ? Random.Shared.Next() : call.Seed;
        var seeds = Enumerable.Range(0, call.BatchSize).Select(i => first + i).ToList();
        var images = new JsonArray();
        foreach (var seed in seeds)
        {
            var png = Behaviour == SdWebuiBehaviour.ResultsNotImages ? Encoding.UTF8.GetBytes("<html>not an image</html>") : Paint(call.Prompt, seed, call.Width, call.Height);
            images.Add(Convert.ToBase64String(png));
        }
        var parameters = body.DeepClone().AsObject();
        if (parameters.ContainsKey("init_images"))
        {
            (parameters["init_images"], parameters["mask"]) = (null, null);
        }
        var info = new JsonObject
        {
            ["prompt"] = call.Prompt, ["all_prompts"] = new JsonArray(seeds.Select(_ => (JsonNode?)call.Prompt).ToArray()),
            ["negative_prompt"] = call.NegativePrompt, ["seed"] = first, ["all_seeds"] = new JsonArray(seeds.Select(s => (JsonNode?)s).ToArray()),
            ["width"] = call.Width, ["height"] = call.Height, ["sampler_name"] = call.Sampler ?? "Euler", ["steps"] = call.Steps,
            ["batch_size"] = call.BatchSize, ["index_of_first_image"] = 0, ["version"] = "v1.10.1",
        };
        var answer = new JsonObject { ["images"] = images, ["parameters"] = parameters, ["info"] = info.ToJsonString() };
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(answer.ToJsonString());
    }

    /// <summary>An image in the colour of the prompt and seed.</summary>
    public static byte[] Paint(string prompt, long seed, int width, int height)
    {
        var (r, g, b) = Colour(prompt, seed);
        var image = new RgbaImage(width, height);
        for (var i = 0; i < image.Pixels.Length; i += 4)
        {
            (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2], image.Pixels[i + 3]) = (r, g, b, 255);
        }
        return ImageCodec.EncodePng(image, 1);
    }

    private static RgbaImage? DecodeImage(string base64)
    {
        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, bytes, out var n) && ImageCodec.Sniff(bytes.AsSpan(0, n).ToArray()) == ImageFormat.Png
            ? ImageCodec.Decode(bytes.AsSpan(0, n).ToArray()) : null;
    }

    private static bool Opaque(RgbaImage image)
    {
        for (var i = 3; i < image.Pixels.Length; i += 4)
        {
            if (image.Pixels[i] != 255)
            {
                return false;
            }
        }
        return true;
    }

    private static JsonObject Problem(string field, string message, string type) =>
        new() { ["loc"] = new JsonArray("body", field), ["msg"] = message, ["type"] = type };

    private static async Task InvalidAsync(HttpContext http, JsonArray problems)
    {
        http.Response.StatusCode = 422;
        await http.Response.WriteAsJsonAsync(new JsonObject { ["detail"] = problems });
    }

    // api_middleware.handle_exception's shape.
    private static async Task MiddlewareErrorAsync(HttpContext http, int status, string error, string detail)
    {
        http.Response.StatusCode = status;
        await http.Response.WriteAsJsonAsync(new JsonObject { ["error"] = error, ["detail"] = detail, ["body"] = "", ["errors"] = detail });
    }

    private static async Task<bool> AuthorisedAsync(HttpContext http)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(ApiKey));
        return http.Request.Headers.Authorization.ToString() == expected || !await RefuseAsync(http);
    }

    // Always true: the request was refused (so it reads naturally in a condition).
    private static async Task<bool> RefuseAsync(HttpContext http)
    {
        http.Response.StatusCode = 401;
        http.Response.Headers.WWWAuthenticate = "Basic";
        await http.Response.WriteAsJsonAsync(new JsonObject { ["detail"] = "Incorrect username or password" });
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Pydantic's reading of the request model: each field of the wrong type is a 422 problem, a missing one its default.</summary>
    private sealed class RequestModel(JsonObject body, JsonArray problems)
    {
        public string? String(string name) => Read(name, JsonValueKind.String, "str type expected", "type_error.str", v => v.GetValue<string>());

        public int? Integer(string name) => Read(name, JsonValueKind.Number, "value is not a valid integer", "type_error.integer",
            v => v.AsValue().TryGetValue<int>(out var i) ? i : (int?)null);

        public decimal? Number(string name) => Read(name, JsonValueKind.Number, "value is not a valid float", "type_error.float", v => v.GetValue<decimal>());

        public bool? Boolean(string name) => body[name] is { } v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? v.GetValue<bool>() : Read<bool?>(name, JsonValueKind.Undefined, "value could not be parsed to a boolean", "type_error.bool", _ => null);

        public JsonObject? Object(string name) => Read(name, JsonValueKind.Object, "value is not a valid dict", "type_error.dict", v => v.AsObject());

        public List<string>? StringArray(string name) => Read(name, JsonValueKind.Array, "value is not a valid list", "type_error.list",
            v => v.AsArray().All(i => i?.GetValueKind() == JsonValueKind.String) ? v.AsArray().Select(i => i!.GetValue<string>()).ToList() : null);

        private T? Read<T>(string name, JsonValueKind kind, string message, string type, Func<JsonNode, T?> read)
        {
            if (!body.TryGetPropertyValue(name, out var value) || value is null)
            {
                return default;
            }
            var result = value.GetValueKind() == kind ? read(value) : default;
            if (result is null)
            {
                problems.Add(Problem(name, message, type));
            }
            return result;
        }
    }
}
