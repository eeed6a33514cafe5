using System.Collections.Concurrent;
using System.Security.Cryptography;
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

/// <summary>What the fake does with a submission.</summary>
public enum SubmitBehaviour
{
    Accept,
    ServerError,
    RateLimited,
    ModerationBeforeGeneration,
    InvalidParameters,
    AcceptWithoutId,
    /// <summary>Records the job, then holds the answer until <see cref="FakeGateway.ReleaseHeldSubmissions"/> (a crash window).</summary>
    AcceptAndHoldAnswer,
}

/// <summary>What a job the fake accepted comes to.</summary>
public enum JobBehaviour
{
    Complete,
    NeverFinish,
    Fail,
    ModerationAfterGeneration,
    ResultsNotImages,
    ResultsTooLarge,
    ResultsOnPrivateAddress,
    TooFewResults,
}

/// <summary>
/// A Midjourney-family gateway on 127.0.0.1 speaking the two dialects as ../shared/UPSTREAMS.md sections 5 and 6 give
/// them (the unified create, task and error shapes of EvoLink; the classic flat or input[0].params bodies, task shape
/// and integer codes of Vtrix), with Easel's cancel routes and Idempotency-Key. Bearer auth. Jobs finish after
/// <see cref="WorkTime"/>; results are PNGs at its own /images/ whose colour depends on the prompt it received and the
/// image number, so a test can tell the prompt arrived. It calls the job's callback when the job finishes, as both
/// vendors do. Each way it can fail is a setting; it counts submissions by key, jobs, polls and cancels.
/// </summary>
public sealed class FakeGateway : IAsyncDisposable
{
    public const string Key = "sk-fake-upstream-key";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, FakeJob> _jobs = new();
    private readonly ConcurrentDictionary<string, string> _jobByKey = new();
    private readonly ConcurrentDictionary<string, int> _submissionsByKey = new();
    private readonly TaskCompletionSource _releaseHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HttpClient _callbacks = new();
    private int _polls;
    private int _cancels;

    private FakeGateway(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public SubmitBehaviour Submit { get; set; } = SubmitBehaviour.Accept;

    public JobBehaviour Job { get; set; } = JobBehaviour.Complete;

    public TimeSpan WorkTime { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Whether the fake calls a finished job's callback (the tests of wake-ups turn it off and call themselves).</summary>
    public bool SendsCallbacks { get; set; } = true;

    /// <summary>The estimated_time the unified dialect reports (seconds).</summary>
    public int EstimatedSeconds { get; set; } = 45;

    public int Polls => Volatile.Read(ref _polls);

    public int Cancels => Volatile.Read(ref _cancels);

    public IReadOnlyCollection<FakeJob> Jobs => _jobs.Values.ToList();

    /// <summary>Submission requests per Idempotency-Key (a resubmission after a crash counts twice, but makes one job).</summary>
    public IReadOnlyDictionary<string, int> SubmissionsByKey => new Dictionary<string, int>(_submissionsByKey);

    public TaskCompletionSource HeldSubmissionArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseHeldSubmissions() => _releaseHeld.TrySetResult();

    public static async Task<FakeGateway> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeGateway(app);
        app.MapPost("/v1/images/generations", http => fake.CreateAsync(http, unified: true));
        app.MapGet("/v1/tasks/{id}", (HttpContext http, string id) => fake.QueryAsync(http, id, unified: true));
        app.MapPost("/v1/tasks/{id}/cancel", (HttpContext http, string id) => fake.CancelAsync(http, id, unified: true));
        app.MapPost("/model/v1/generation", http => fake.CreateAsync(http, unified: false));
        app.MapGet("/model/v1/generation/task/{id}", (HttpContext http, string id) => fake.QueryAsync(http, id, unified: false));
        app.MapPost("/model/v1/generation/task/{id}/cancel", (HttpContext http, string id) => fake.CancelAsync(http, id, unified: false));
        app.MapGet("/images/{id}/{n:int}", (HttpContext http, string id, int n) => fake.ImageAsync(http, id, n));
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return fake;
    }

    /// <summary>The colour the fake paints image <paramref name="n"/> of a prompt in: what a test compares a result with.</summary>
    public static (byte R, byte G, byte B) ColourOf(string? prompt, int n)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{prompt}|{n}"));
        return (hash[0], hash[1], hash[2]);
    }

    private async Task CreateAsync(HttpContext http, bool unified)
    {
        if (!await AuthorisedAsync(http, unified))
        {
            return;
        }
        var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject;
        var parameters = unified ? body?["model_params"] as JsonObject : (body?["input"]?[0]?["params"] as JsonObject ?? body);
        var model = body?["model"]?.GetValue<string>();
        if (body is null || model is null)
        {
            await ErrorAsync(http, unified, 400, "invalid_request", 4_000_400, "the body is not a create request");
            return;
        }
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length > 0)
        {
            _submissionsByKey.AddOrUpdate(key, 1, (_, n) => n + 1);
            if (_jobByKey.TryGetValue(key, out var existing))
            {
                await TaskAsync(http, _jobs[existing], unified);
                return;
            }
        }
        switch (Submit)
        {
            case SubmitBehaviour.ServerError:
                http.Response.StatusCode = 500;
                await http.Response.WriteAsync("upstream exploded");
                return;
            case SubmitBehaviour.RateLimited:
                await ErrorAsync(http, unified, 429, "rate_limit_exceeded", 4_000_429, "slow down");
                return;
            case SubmitBehaviour.ModerationBeforeGeneration:
                await ErrorAsync(http, unified, 400, "content_policy_violation", 4_014_009, "the prompt was refused by moderation");
                return;
            case SubmitBehaviour.InvalidParameters:
                await ErrorAsync(http, unified, 400, "invalid_request", 4_014_005, "canvas is not acceptable here");
                return;
        }
        var prompt = unified ? body["prompt"]?.GetValue<string>() : (parameters?["remixPrompt"] ?? parameters?["text"])?.GetValue<string>();
        var callback = unified ? body["callback_url"]?.GetValue<string>() : parameters?["callback"]?.GetValue<string>();
        var job = new FakeJob((unified ? "task-unified-" : "vtrix-") + Guid.NewGuid().ToString("N")[..12], model, prompt, parameters?.ToJsonString(),
            callback, DateTimeOffset.UtcNow, Job) { Enveloped = !unified && body["input"] is not null };
        _jobs[job.Id] = job;
        if (key.Length > 0)
        {
            _jobByKey[key] = job.Id;
        }
        _ = FinishLaterAsync(job, unified);
        if (Submit == SubmitBehaviour.AcceptAndHoldAnswer)
        {
            HeldSubmissionArrived.TrySetResult();
            await _releaseHeld.Task.WaitAsync(http.RequestAborted);
        }
        if (Submit == SubmitBehaviour.AcceptWithoutId)
        {
            await http.Response.WriteAsJsonAsync(new { status = "pending" });
            return;
        }
        await TaskAsync(http, job, unified);
    }

    private async Task QueryAsync(HttpContext http, string id, bool unified)
    {
        Interlocked.Increment(ref _polls);
        if (!await AuthorisedAsync(http, unified))
        {
            return;
        }
        if (!_jobs.TryGetValue(id, out var job))
        {
            await ErrorAsync(http, unified, 404, "resource_not_found", 4_000_404, $"no task {id}");
            return;
        }
        await TaskAsync(http, job, unified);
    }

    private async Task CancelAsync(HttpContext http, string id, bool unified)
    {
        if (!await AuthorisedAsync(http, unified))
        {
            return;
        }
        if (!_jobs.TryGetValue(id, out var job))
        {
            await ErrorAsync(http, unified, 404, "resource_not_found", 4_000_404, $"no task {id}");
            return;
        }
        Interlocked.Increment(ref _cancels);
        job.Cancelled = true;
        await TaskAsync(http, job, unified);
    }

    private async Task ImageAsync(HttpContext http, string id, int n)
    {
        if (!_jobs.TryGetValue(id, out var job))
        {
            http.Response.StatusCode = 404;
            return;
        }
        switch (job.Behaviour)
        {
            case JobBehaviour.ResultsNotImages:
                http.Response.ContentType = "image/png";
                await http.Response.WriteAsync("<html>not an image</html>");
                return;
            case JobBehaviour.ResultsTooLarge:
                http.Response.ContentType = "image/png";
                await http.Response.Body.WriteAsync(new byte[21 * 1024 * 1024]);
                return;
        }
        var (r, g, b) = ColourOf(job.Prompt, n);
        var image = new RgbaImage(64, 48);
        for (var i = 0; i < image.Pixels.Length; i += 4)
        {
            (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2], image.Pixels[i + 3]) = (r, g, b, 255);
        }
        http.Response.ContentType = "image/png";
        await http.Response.Body.WriteAsync(ImageCodec.EncodePng(image, 1));
    }

    private async Task FinishLaterAsync(FakeJob job, bool unified)
    {
        if (job.Behaviour == JobBehaviour.NeverFinish)
        {
            return;
        }
        await Task.Delay(WorkTime);
        if (!SendsCallbacks || job.Callback is null || job.Cancelled)
        {
            return;
        }
        // As both vendors do: the task's own query body to the callback; Easel must not trust it.
        try
        {
            using var content = new StringContent(Render(job, unified).ToJsonString(), Encoding.UTF8, "application/json");
            using var _ = await _callbacks.PostAsync(job.Callback, content);
        }
        catch (HttpRequestException)
        {
            // A callback that fails is not retried by this fake (midjourney-proxy does not retry either).
        }
    }

    private async Task TaskAsync(HttpContext http, FakeJob job, bool unified) =>
        await http.Response.WriteAsync(Render(job, unified).ToJsonString(), http.RequestAborted);

    private JsonObject Render(FakeJob job, bool unified)
    {
        var elapsed = DateTimeOffset.UtcNow - job.Created;
        var finished = job.Behaviour != JobBehaviour.NeverFinish && elapsed >= WorkTime;
        var progress = finished ? 1.0 : Math.Min(0.95, elapsed / WorkTime);
        var state = job.Cancelled ? "cancelled" : !finished ? "running" : job.Behaviour switch
        {
            JobBehaviour.Fail or JobBehaviour.ModerationAfterGeneration => "failed",
            _ => "completed",
        };
        var count = job.Model is "mj-v7-upscale" or "midjourney_upscale" or "mj-v7-remove-bg" or "midjourney_remove_bg" ? 1 : 4;
        if (job.Behaviour == JobBehaviour.TooFewResults)
        {
            count = 2;
        }
        var urls = Enumerable.Range(0, count).Select(n => job.Behaviour == JobBehaviour.ResultsOnPrivateAddress
            ? $"http://10.255.255.1/images/{job.Id}/{n}" : $"{BaseUrl}/images/{job.Id}/{n}").ToArray();
        var (code, message) = job.Behaviour == JobBehaviour.ModerationAfterGeneration
            ? ("content_policy_violation", "the images were refused by moderation")
            : ("generation_failed_no_content", "the model produced nothing");
        if (unified)
        {
            var task = new JsonObject
            {
                ["created"] = job.Created.ToUnixTimeSeconds(), ["id"] = job.Id, ["model"] = job.Model, ["object"] = "image.generation.task",
                ["progress"] = (int)(progress * 100),
                ["status"] = state switch { "running" => elapsed < TimeSpan.FromMilliseconds(50) ? "pending" : "processing", "cancelled" => "failed", _ => state },
                ["task_info"] = new JsonObject { ["can_cancel"] = state == "running", ["estimated_time"] = EstimatedSeconds },
                ["type"] = "image",
                ["usage"] = new JsonObject { ["billing_rule"] = "per_call", ["credits_reserved"] = 5.4, ["user_group"] = "default" },
            };
            if (state == "completed")
            {
                task["results"] = new JsonArray(urls.Select(u => (JsonNode)u).ToArray());
            }
            else if (state == "failed")
            {
                task["error"] = new JsonObject { ["code"] = code, ["message"] = message };
            }
            else if (state == "cancelled")
            {
                task["error"] = new JsonObject { ["code"] = "request_cancelled", ["message"] = "cancelled" };
            }
            return task;
        }
        var classic = new JsonObject
        {
            ["id"] = job.Id, ["model"] = job.Model, ["status"] = state == "running" ? "in_progress" : state, ["progress"] = progress,
            ["created_at"] = job.Created.ToUnixTimeSeconds(),
        };
        if (state == "completed")
        {
            classic["output"] = new JsonArray(new JsonObject
            {
                ["content"] = new JsonArray(urls.Select(u => (JsonNode)new JsonObject { ["type"] = "image", ["url"] = u }).ToArray()),
            });
            classic["usage"] = new JsonObject { ["cost"] = "0.0794", ["discount"] = 0 };
            classic["metadata"] = new JsonObject { ["imageCount"] = count };
        }
        else if (state == "failed")
        {
            classic["error"] = new JsonObject { ["code"] = 4_014_098, ["error_message"] = message };
        }
        return classic;
    }

    private static async Task<bool> AuthorisedAsync(HttpContext http, bool unified)
    {
        if (http.Request.Headers.Authorization.ToString() == "Bearer " + Key)
        {
            return true;
        }
        await ErrorAsync(http, unified, 401, "unauthorized", 4_000_401, "Invalid API key");
        return false;
    }

    // The seeds' error shapes: unified {"error":{code,message,type}}, classic {"status":"failed","error":{code,error_message}}.
    private static async Task ErrorAsync(HttpContext http, bool unified, int status, string code, int classicCode, string message)
    {
        http.Response.StatusCode = status;
        var body = unified
            ? new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message, ["type"] = status == 401 ? "authentication_error" : "invalid_request_error" } }
            : new JsonObject { ["status"] = "failed", ["error"] = new JsonObject { ["code"] = classicCode, ["error_message"] = message } };
        await http.Response.WriteAsync(body.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseHeldSubmissions();
        _callbacks.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A job the fake accepted: what it was asked (model, prompt, the parameters as sent) and where to call back.</summary>
public sealed record FakeJob(string Id, string Model, string? Prompt, string? Parameters, string? Callback, DateTimeOffset Created, JobBehaviour Behaviour)
{
    /// <summary>Whether a classic body came wrapped as {"model", "input": [{"params": {...}}]}.</summary>
    public bool Enveloped { get; init; }

    private volatile bool _cancelled;

    public bool Cancelled
    {
        get => _cancelled;
        set => _cancelled = value;
    }
}
