using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
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

/// <summary>How the fake OpenAI Images server answers a call.</summary>
public enum OpenAiBehaviour
{
    Answer,
    ServerError,
    RateLimited,
    Unauthorized,
    Moderation,
    /// <summary>Never answers: holds the request until the caller aborts it (recorded as <see cref="FakeOpenAiCall.Aborted"/>).</summary>
    Slow,
    ResultsNotImages,
}

/// <summary>One call the fake received, as it read it: the route, the fields, and for an edit the image and mask decoded.</summary>
public sealed record FakeOpenAiCall(string Route, string Model, string Prompt, int N, string Size, RgbaImage? Image, RgbaImage? Mask)
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
/// The OpenAI Images API on 127.0.0.1 as ../shared/UPSTREAMS.md section 4 gives it: POST /v1/images/generations (JSON)
/// and POST /v1/images/edits (multipart: model, prompt, n, size, response_format, image or image[] files, a mask PNG
/// of the image's size), bearer auth, synchronous answers {created, data:[{b64_json}|{url}], usage} (usage and base64
/// for gpt-image models; dall-e answers URLs on its own /images/ unless asked for b64_json, and only dall-e takes
/// response_format), and errors as {"error":{message,type,param,code}}. Images are <c>size</c> and painted in
/// <see cref="FakeGateway.ColourOf"/> of the prompt received, so a test can tell the prompt arrived; edits are
/// refused unless the mask is a PNG with alpha of the image's size, as the API refuses them. Each fault is a setting.
/// </summary>
public sealed class FakeOpenAiImages : IAsyncDisposable
{
    public const string Key = "sk-fake-openai-key";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeOpenAiCall> _calls = new();
    private readonly ConcurrentDictionary<string, byte[]> _hosted = new();

    private FakeOpenAiImages(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public OpenAiBehaviour Behaviour { get; set; } = OpenAiBehaviour.Answer;

    /// <summary>How long a call takes before it is answered (a render's time; a fault comes after it too).</summary>
    public TimeSpan WorkTime { get; set; } = TimeSpan.FromMilliseconds(50);

    public IReadOnlyList<FakeOpenAiCall> Calls => _calls.ToList();

    public static async Task<FakeOpenAiImages> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeOpenAiImages(app);
        app.MapPost("/v1/images/generations", fake.GenerationsAsync);
        app.MapPost("/v1/images/edits", fake.EditsAsync);
        app.MapGet("/images/{id}", (HttpContext http, string id) => fake._hosted.TryGetValue(id, out var png)
            ? Results.Bytes(png, "image/png") : Results.NotFound());
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return fake;
    }

    private async Task GenerationsAsync(HttpContext http)
    {
        if (!await AuthorisedAsync(http))
        {
            return;
        }
        if (await JsonNode.ParseAsync(http.Request.Body) is not JsonObject body || body["prompt"]?.GetValue<string>() is not { Length: > 0 } prompt)
        {
            await ErrorAsync(http, 400, "invalid_request_error", "prompt", "missing_required_parameter", "Missing required parameter: 'prompt'.");
            return;
        }
        var model = body["model"]?.GetValue<string>() ?? "dall-e-2";
        var n = body["n"]?.GetValue<int>() ?? 1;
        var size = body["size"]?.GetValue<string>() ?? "1024x1024";
        await AnswerAsync(http, new FakeOpenAiCall("generations", model, prompt, n, size, null, null), body["response_format"]?.GetValue<string>());
    }

    private async Task EditsAsync(HttpContext http)
    {
        if (!await AuthorisedAsync(http))
        {
            return;
        }
        if (!http.Request.HasFormContentType)
        {
            await ErrorAsync(http, 400, "invalid_request_error", null, null, "Invalid Content-Type header, expected multipart/form-data.");
            return;
        }
        var form = await http.Request.ReadFormAsync();
        var prompt = form["prompt"].ToString();
        var model = form["model"].ToString() is { Length: > 0 } m ? m : "dall-e-2";
        var n = form["n"].ToString() is { Length: > 0 } count ? int.Parse(count, CultureInfo.InvariantCulture) : 1;
        var size = form["size"].ToString() is { Length: > 0 } s ? s : "1024x1024";
        var file = form.Files.GetFile("image") ?? form.Files.GetFile("image[]");
        if (prompt.Length == 0 || file is null)
        {
            await ErrorAsync(http, 400, "invalid_request_error", prompt.Length == 0 ? "prompt" : "image", "missing_required_parameter", "Missing required parameter.");
            return;
        }
        var image = ImageCodec.Decode(await ReadAsync(file));
        RgbaImage? mask = null;
        if (form.Files.GetFile("mask") is { } maskFile)
        {
            var bytes = await ReadAsync(maskFile);
            mask = ImageCodec.Sniff(bytes) == ImageFormat.Png ? ImageCodec.Decode(bytes) : null;
            if (mask is null || mask.Width != image.Width || mask.Height != image.Height || !HasTransparency(mask))
            {
                await ErrorAsync(http, 400, "invalid_request_error", "mask", "invalid_mask",
                    "Invalid mask image: it must be a PNG of the image's size with transparent pixels where to edit.");
                return;
            }
        }
        await AnswerAsync(http, new FakeOpenAiCall("edits", model, prompt, n, size, image, mask), form["response_format"].ToString());
    }

    private async Task AnswerAsync(HttpContext http, FakeOpenAiCall call, string? responseFormat)
    {
        _calls.Enqueue(call);
        var gptImage = !call.Model.StartsWith("dall-e", StringComparison.Ordinal);
        if (gptImage && !string.IsNullOrEmpty(responseFormat))
        {
            await ErrorAsync(http, 400, "invalid_request_error", "response_format", "unknown_parameter", "Unknown parameter: 'response_format'.");
            return;
        }
        if (call.Model == "dall-e-3" && call.N != 1 || call.N is < 1 or > 10 || Size(call.Size) is null)
        {
            await ErrorAsync(http, 400, "invalid_request_error", call.N is < 1 or > 10 || call.Model == "dall-e-3" ? "n" : "size", "invalid_value", "Invalid value.");
            return;
        }
        try
        {
            await Task.Delay(Behaviour == OpenAiBehaviour.Slow ? Timeout.InfiniteTimeSpan : WorkTime, http.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            call.Aborted = true;
            return;
        }
        switch (Behaviour)
        {
            case OpenAiBehaviour.ServerError:
                await ErrorAsync(http, 500, "server_error", null, null, "The server had an error while processing your request.");
                return;
            case OpenAiBehaviour.RateLimited:
                await ErrorAsync(http, 429, "requests", null, "rate_limit_exceeded", "Rate limit reached for requests.");
                return;
            case OpenAiBehaviour.Unauthorized:
                await ErrorAsync(http, 401, "invalid_request_error", null, "invalid_api_key", "Incorrect API key provided.");
                return;
            case OpenAiBehaviour.Moderation:
                await ErrorAsync(http, 400, "image_generation_user_error", null, "moderation_blocked", "Your request was rejected by the safety system.");
                return;
        }
        var (width, height) = Size(call.Size)!.Value;
        var data = new JsonArray();
        for (var i = 0; i < call.N; i++)
        {
            var png = Behaviour == OpenAiBehaviour.ResultsNotImages ? Encoding.UTF8.GetBytes("<html>not an image</html>") : Paint(call.Prompt, i, width, height);
            if (gptImage || responseFormat == "b64_json")
            {
                data.Add(new JsonObject { ["b64_json"] = Convert.ToBase64String(png) });
            }
            else
            {
                var id = Guid.NewGuid().ToString("N");
                _hosted[id] = png;
                data.Add(new JsonObject { ["url"] = $"{BaseUrl}/images/{id}" });
            }
        }
        var answer = new JsonObject { ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["data"] = data };
        if (gptImage)
        {
            answer["usage"] = new JsonObject
            {
                ["input_tokens"] = 50, ["output_tokens"] = 1000 * call.N, ["total_tokens"] = 50 + (1000 * call.N),
                ["input_tokens_details"] = new JsonObject { ["image_tokens"] = 0, ["text_tokens"] = 50 },
            };
        }
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(answer.ToJsonString());
    }

    /// <summary>An image in the colour of the prompt (and its number in the answer), as a test computes it.</summary>
    public static byte[] Paint(string prompt, int n, int width, int height)
    {
        var (r, g, b) = FakeGateway.ColourOf(prompt, n);
        var image = new RgbaImage(width, height);
        for (var i = 0; i < image.Pixels.Length; i += 4)
        {
            (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2], image.Pixels[i + 3]) = (r, g, b, 255);
        }
        return ImageCodec.EncodePng(image, 1);
    }

    private static bool HasTransparency(RgbaImage mask)
    {
        for (var i = 3; i < mask.Pixels.Length; i += 4)
        {
            if (mask.Pixels[i] == 0)
            {
                return true;
            }
        }
        return false;
    }

    private static (int Width, int Height)? Size(string size)
    {
        var parts = size.Split('x');
        return parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var w) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var h)
            && w is > 0 and <= 4096 && h is > 0 and <= 4096 ? (w, h) : null;
    }

    private static async Task<byte[]> ReadAsync(IFormFile file)
    {
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static async Task<bool> AuthorisedAsync(HttpContext http)
    {
        if (http.Request.Headers.Authorization.ToString() == "Bearer " + Key)
        {
            return true;
        }
        await ErrorAsync(http, 401, "invalid_request_error", null, "invalid_api_key", "Incorrect API key provided.");
        return false;
    }

    private static async Task ErrorAsync(HttpContext http, int status, string type, string? param, string? code, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        var error = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code };
        await http.Response.WriteAsync(new JsonObject { ["error"] = error }.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
