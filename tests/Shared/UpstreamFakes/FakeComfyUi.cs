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

/// <summary>How the fake ComfyUI fails.</summary>
public enum ComfyUiFault
{
    None,
    /// <summary>Every route answers aiohttp's 500 (a server in trouble, or a proxy's 502 in front of a dead one).</summary>
    ServerError,
    /// <summary>The run fails in KSampler: history status_str "error" with an execution_error message.</summary>
    ExecutionError,
    /// <summary>The run never ends until it is interrupted.</summary>
    NeverFinish,
    /// <summary>The run's SaveImage writes files that are not images.</summary>
    OutputsNotImages,
    /// <summary>The history names output files that /view does not have.</summary>
    MissingFiles,
}

/// <summary>One prompt the fake queued, as it read the graph: what a test checks arrived.</summary>
public sealed class FakeComfyPrompt(string id, double number, JsonObject graph, string? clientId)
{
    /// <summary>When the fake read the call (a Stopwatch timestamp): the relay benchmark's arrival time.</summary>
    public long ReceivedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    public string Id { get; } = id;

    public double Number { get; } = number;

    public JsonObject Graph { get; } = graph;

    public string? ClientId { get; } = clientId;

    /// <summary>The prompt text, seed, image count and size the graph's sampler chain gave (set when the run starts).</summary>
    public string? Prompt { get; internal set; }

    public long Seed { get; internal set; }

    public int Count { get; internal set; }

    public int Width { get; internal set; }

    public int Height { get; internal set; }

    /// <summary>The images its LoadImage nodes loaded (by input file name), and the masks its LoadImageMask nodes loaded.</summary>
    public Dictionary<string, RgbaImage> Loaded { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, RgbaImage> LoadedMasks { get; } = new(StringComparer.Ordinal);

    private volatile string _state = "pending";

    /// <summary>pending, running, success, error, interrupted, deleted.</summary>
    public string State
    {
        get => _state;
        internal set => _state = value;
    }

    internal volatile bool Interrupt;
}

/// <summary>
/// ComfyUI's HTTP API on 127.0.0.1 as ../shared/UPSTREAMS.md section 3 and server.py give it: POST /prompt validating the
/// graph it gets (known node classes, required inputs, links [node id, output index] to outputs that exist, INT inputs
/// numbers, sampler and checkpoint names from lists, LoadImage files that were uploaded) with node_errors in the real
/// shape; a queue that runs one prompt at a time in order of number, step by step; GET /history/{id} ({} until it ends),
/// GET /queue, POST /queue {delete|clear}, POST /interrupt ({prompt_id} only while that one runs, none = whatever runs);
/// POST /upload/image (multipart image, type, overwrite, the " (n)" suffix otherwise); GET /view. Every route also
/// under /api. Images are painted in <see cref="Colour"/> of the positive prompt and seed found in the graph (seed,
/// seed+1, ... for a batch), so a test can tell the placeholders were filled. ComfyUI has no auth; with
/// <see cref="RequiredToken"/> it stands behind a proxy that wants that bearer token on every request.
/// </summary>
public sealed class FakeComfyUi : IAsyncDisposable
{
    public const string Token = "proxy-token";

    public static readonly string[] Checkpoints = ["sd_xl_base_1.0.safetensors", "sd-v1-5-inpainting.safetensors"];
    public static readonly string[] Samplers = ["euler", "euler_ancestral", "dpmpp_2m"];
    public static readonly string[] Schedulers = ["normal", "karras", "simple"];

    private sealed record NodeSpec(string[] Required, string[] Outputs, bool IsOutput = false, string[]? Ints = null);

    // The node classes of nodes.py the sample workflows use: their required inputs, their outputs, their INT inputs.
    private static readonly Dictionary<string, NodeSpec> Nodes = new(StringComparer.Ordinal)
    {
        ["CheckpointLoaderSimple"] = new(["ckpt_name"], ["MODEL", "CLIP", "VAE"]),
        ["CLIPTextEncode"] = new(["text", "clip"], ["CONDITIONING"]),
        ["EmptyLatentImage"] = new(["width", "height", "batch_size"], ["LATENT"], Ints: ["width", "height", "batch_size"]),
        ["KSampler"] = new(["model", "seed", "steps", "cfg", "sampler_name", "scheduler", "positive", "negative", "latent_image", "denoise"], ["LATENT"],
            Ints: ["seed", "steps"]),
        ["VAEDecode"] = new(["samples", "vae"], ["IMAGE"]),
        ["VAEEncode"] = new(["pixels", "vae"], ["LATENT"]),
        ["VAEEncodeForInpaint"] = new(["pixels", "vae", "mask", "grow_mask_by"], ["LATENT"], Ints: ["grow_mask_by"]),
        ["InpaintModelConditioning"] = new(["positive", "negative", "vae", "pixels", "mask"], ["CONDITIONING", "CONDITIONING", "LATENT"]),
        ["LoadImage"] = new(["image"], ["IMAGE", "MASK"]),
        ["LoadImageMask"] = new(["image", "channel"], ["MASK"]),
        ["RepeatLatentBatch"] = new(["samples", "amount"], ["LATENT"], Ints: ["amount"]),
        ["SaveImage"] = new(["images", "filename_prefix"], [], IsOutput: true),
        ["PreviewImage"] = new(["images"], [], IsOutput: true),
    };

    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly List<FakeComfyPrompt> _queue = [];
    private readonly ConcurrentQueue<FakeComfyPrompt> _prompts = new();
    private readonly ConcurrentDictionary<string, JsonObject> _history = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string?> _interrupts = new();
    private readonly ConcurrentQueue<string> _deleted = new();
    private readonly SemaphoreSlim _work = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private Task _runner = Task.CompletedTask;
    private FakeComfyPrompt? _running;
    private double _number;
    private int _outputCounter;
    private int _promptPosts;

    private FakeComfyUi(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public ComfyUiFault Fault { get; set; }

    /// <summary>When set, every request needs <c>Authorization: Bearer</c> this (a proxy in front of ComfyUI); null: none, as ComfyUI itself.</summary>
    public string? RequiredToken { get; set; }

    /// <summary>How long each of a run's <see cref="Steps"/> takes; zero answers at once (a benchmark's setting).</summary>
    public TimeSpan StepTime { get; set; } = TimeSpan.FromMilliseconds(10);

    public int Steps { get; set; } = 4;

    /// <summary>When set, POST /prompt queues the prompt and then holds its answer until <see cref="ReleaseHeldAnswers"/> (a client that dies meanwhile never learns it was queued).</summary>
    public bool HoldAnswers { get; set; }

    public TaskCompletionSource HeldAnswerQueued { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseHeldAnswers() => _release.TrySetResult();

    /// <summary>Every prompt queued, in the order it arrived.</summary>
    public IReadOnlyList<FakeComfyPrompt> Prompts => _prompts.ToList();

    /// <summary>POST /prompt requests, valid or not.</summary>
    public int PromptPosts => Volatile.Read(ref _promptPosts);

    /// <summary>The files uploaded to the input directory, by name.</summary>
    public IReadOnlyDictionary<string, byte[]> Inputs => _files.Where(f => f.Key.StartsWith("input/", StringComparison.Ordinal))
        .ToDictionary(f => f.Key["input/".Length..], f => f.Value, StringComparer.Ordinal);

    /// <summary>The prompt ids POST /interrupt named (null for a global interrupt).</summary>
    public IReadOnlyList<string?> Interrupts => _interrupts.ToList();

    /// <summary>The prompt ids POST /queue {delete} named.</summary>
    public IReadOnlyList<string> Deleted => _deleted.ToList();

    public static async Task<FakeComfyUi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeComfyUi(app);
        app.Use(async (http, next) =>
        {
            if (fake.RequiredToken is { } token && http.Request.Headers.Authorization.ToString() != "Bearer " + token)
            {
                http.Response.StatusCode = 401;
                await http.Response.WriteAsync("401 Unauthorized");
                return;
            }
            if (fake.Fault == ComfyUiFault.ServerError)
            {
                http.Response.StatusCode = 500;
                http.Response.ContentType = "text/plain";
                await http.Response.WriteAsync("500 Internal Server Error\n\nServer got itself in trouble");
                return;
            }
            await next();
        });
        foreach (var prefix in new[] { "", "/api" })
        {
            app.MapPost(prefix + "/prompt", fake.PostPromptAsync);
            app.MapGet(prefix + "/prompt", (HttpContext http) => http.Response.WriteAsJsonAsync(new JsonObject
            {
                ["exec_info"] = new JsonObject { ["queue_remaining"] = fake.Remaining },
            }));
            app.MapGet(prefix + "/history/{id}", (HttpContext http, string id) => http.Response.WriteAsync(
                (fake._history.TryGetValue(id, out var entry) ? new JsonObject { [id] = entry.DeepClone() } : new JsonObject()).ToJsonString()));
            app.MapGet(prefix + "/queue", fake.GetQueueAsync);
            app.MapPost(prefix + "/queue", fake.PostQueueAsync);
            app.MapPost(prefix + "/interrupt", fake.InterruptAsync);
            app.MapPost(prefix + "/upload/image", fake.UploadAsync);
            app.MapGet(prefix + "/view", fake.ViewAsync);
        }
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        fake._runner = Task.Run(fake.RunQueueAsync);
        return fake;
    }

    /// <summary>The colour of image <paramref name="n"/> rendered from the prompt with the seed, as a test computes it.</summary>
    public static (byte R, byte G, byte B) Colour(string prompt, long seed, int n) => FakeSdWebui.Colour(prompt, seed + n);

    private int Remaining
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count + (_running is null ? 0 : 1);
            }
        }
    }

    private async Task PostPromptAsync(HttpContext http)
    {
        Interlocked.Increment(ref _promptPosts);
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }
        if (body is null)
        {
            // aiohttp's request.json() raising: the handler's exception is a 500.
            http.Response.StatusCode = 500;
            await http.Response.WriteAsync("500 Internal Server Error\n\nServer got itself in trouble");
            return;
        }
        if (body["prompt"] is not { } promptNode)
        {
            await RefuseAsync(http, Error("no_prompt", "No prompt provided", "No prompt provided"), new JsonObject());
            return;
        }
        var id = Guid.NewGuid().ToString("D");
        if (body["prompt_id"] is { } given)
        {
            if (given.GetValueKind() != JsonValueKind.String || !Guid.TryParseExact(given.GetValue<string>(), "D", out var parsed)
                || parsed.ToString("D") != given.GetValue<string>())
            {
                await RefuseAsync(http, Error("invalid_prompt_id", "prompt_id must be a valid UUID",
                    "prompt_id must be a UUID string in canonical lowercase hyphenated form; omit it to let the server generate one"), new JsonObject());
                return;
            }
            id = given.GetValue<string>();
        }
        if (promptNode is not JsonObject graph)
        {
            await RefuseAsync(http, Error("invalid_prompt", "Cannot execute because the prompt is not an object of nodes.", ""), new JsonObject());
            return;
        }
        var (error, nodeErrors, outputs) = Validate(graph);
        if (error is not null)
        {
            await RefuseAsync(http, error, nodeErrors);
            return;
        }
        var clientId = body["client_id"]?.GetValueKind() == JsonValueKind.String ? body["client_id"]!.GetValue<string>() : null;
        FakeComfyPrompt prompt;
        lock (_gate)
        {
            // Like server.py: a client's prompt_id is queued without looking whether it exists.
            prompt = new FakeComfyPrompt(id, _number++, graph, clientId);
            _queue.Add(prompt);
        }
        _prompts.Enqueue(prompt);
        _outputsOf[id] = outputs;
        _work.Release();
        if (HoldAnswers)
        {
            HeldAnswerQueued.TrySetResult();
            await Task.WhenAny(_release.Task, Task.Delay(Timeout.Infinite, http.RequestAborted));
        }
        await http.Response.WriteAsJsonAsync(new JsonObject { ["prompt_id"] = id, ["number"] = prompt.Number, ["node_errors"] = new JsonObject() });
    }

    private readonly ConcurrentDictionary<string, List<string>> _outputsOf = new(StringComparer.Ordinal);

    private static JsonObject Error(string type, string message, string details) =>
        new() { ["type"] = type, ["message"] = message, ["details"] = details, ["extra_info"] = new JsonObject() };

    private static async Task RefuseAsync(HttpContext http, JsonObject error, JsonObject nodeErrors)
    {
        http.Response.StatusCode = 400;
        await http.Response.WriteAsJsonAsync(new JsonObject { ["error"] = error, ["node_errors"] = nodeErrors });
    }

    /// <summary>execution.validate_prompt: a graph-level error at once, or each output's inputs checked and the failures by node.</summary>
    private (JsonObject? Error, JsonObject NodeErrors, List<string> Outputs) Validate(JsonObject graph)
    {
        var outputs = new List<string>();
        foreach (var (id, node) in graph)
        {
            if (node?["class_type"] is not JsonValue classType || classType.GetValueKind() != JsonValueKind.String)
            {
                return (Error("invalid_prompt", "Cannot execute because a node is missing the class_type property.", $"Node ID '#{id}'"), new JsonObject(), outputs);
            }
            if (!Nodes.TryGetValue(classType.GetValue<string>(), out var spec))
            {
                var error = Error("missing_node_type", $"Node '{classType}' not found. The custom node may not be installed.", $"Node ID '#{id}'");
                error["extra_info"] = new JsonObject { ["node_id"] = id, ["class_type"] = classType.GetValue<string>() };
                return (error, new JsonObject(), outputs);
            }
            if (spec.IsOutput)
            {
                outputs.Add(id);
            }
        }
        if (outputs.Count == 0)
        {
            return (Error("prompt_no_outputs", "Prompt has no outputs", ""), new JsonObject(), outputs);
        }
        var nodeErrors = new JsonObject();
        var details = new List<string>();
        foreach (var (id, node) in graph)
        {
            var errors = Check(graph, node!.AsObject());
            if (errors.Count > 0)
            {
                details.AddRange(errors.Select(e => $"{e["message"]}: {e["details"]}"));
                nodeErrors[id] = new JsonObject
                {
                    ["errors"] = new JsonArray(errors.Select(e => (JsonNode)e).ToArray()),
                    ["dependent_outputs"] = new JsonArray(outputs.Select(o => (JsonNode)o).ToArray()),
                    ["class_type"] = node["class_type"]!.GetValue<string>(),
                };
            }
        }
        return nodeErrors.Count == 0
            ? (null, nodeErrors, outputs)
            : (Error("prompt_outputs_failed_validation", "Prompt outputs failed validation", string.Join("\n", details)), nodeErrors, outputs);
    }

    private List<JsonObject> Check(JsonObject graph, JsonObject node)
    {
        var spec = Nodes[node["class_type"]!.GetValue<string>()];
        var inputs = node["inputs"] as JsonObject ?? [];
        var errors = new List<JsonObject>();
        foreach (var name in spec.Required)
        {
            if (!inputs.TryGetPropertyValue(name, out var value) || value is null)
            {
                var missing = Error("required_input_missing", "Required input is missing", name);
                missing["extra_info"] = new JsonObject { ["input_name"] = name };
                errors.Add(missing);
                continue;
            }
            if (value is JsonArray link)
            {
                if (link.Count != 2 || link[0]?.GetValueKind() != JsonValueKind.String || link[1]?.GetValueKind() != JsonValueKind.Number)
                {
                    errors.Add(Error("bad_linked_input", "Bad linked input, must be a length-2 list of [node_id, slot_index]", name));
                }
                else if (graph[link[0]!.GetValue<string>()] is not JsonObject source
                    || !Nodes.TryGetValue(source["class_type"]?.GetValue<string>() ?? "", out var sourceSpec)
                    || link[1]!.GetValue<int>() is var slot && (slot < 0 || slot >= sourceSpec.Outputs.Length))
                {
                    errors.Add(Error("exception_during_inner_validation", "Exception when validating inner node", $"{name}: no output {link[1]} of node '{link[0]}'"));
                }
                continue;
            }
            var text = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
            if (spec.Ints?.Contains(name) == true && (value.GetValueKind() != JsonValueKind.Number || !value.AsValue().TryGetValue<long>(out _)))
            {
                errors.Add(Error("invalid_input_type", "Failed to convert an input value to a INT value", $"{name}, {value.ToJsonString()}, invalid literal for int() with base 10"));
            }
            else if (name is "ckpt_name" && !Checkpoints.Contains(text) || name is "sampler_name" && !Samplers.Contains(text) || name is "scheduler" && !Schedulers.Contains(text))
            {
                var list = name switch { "ckpt_name" => Checkpoints, "sampler_name" => Samplers, _ => Schedulers };
                errors.Add(Error("value_not_in_list", "Value not in list", $"{name}: '{text}' not in [{string.Join(", ", list.Select(l => $"'{l}'"))}]"));
            }
            else if (name == "image" && (text is null || !_files.ContainsKey("input/" + text)))
            {
                // LoadImage.VALIDATE_INPUTS
                errors.Add(Error("custom_validation_failed", "Custom validation failed for node", $"image - Invalid image file: {text}"));
            }
            else if (name is "width" or "height" && value.AsValue().TryGetValue<long>(out var side) && (side < 16 || side > 16384))
            {
                errors.Add(Error("value_smaller_than_min", "Value out of range", $"{name}: {side} not in 16..16384"));
            }
        }
        return errors;
    }

    private async Task GetQueueAsync(HttpContext http)
    {
        JsonArray running, pending;
        lock (_gate)
        {
            running = new JsonArray(_running is null ? [] : [Item(_running)]);
            pending = new JsonArray(_queue.Select(p => (JsonNode)Item(p)).ToArray());
        }
        await http.Response.WriteAsync(new JsonObject { ["queue_running"] = running, ["queue_pending"] = pending }.ToJsonString());
    }

    private JsonArray Item(FakeComfyPrompt prompt) => new(prompt.Number, prompt.Id, prompt.Graph.DeepClone(),
        new JsonObject { ["client_id"] = prompt.ClientId }, new JsonArray(_outputsOf.GetValueOrDefault(prompt.Id, []).Select(o => (JsonNode)o).ToArray()));

    private async Task PostQueueAsync(HttpContext http)
    {
        var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject;
        lock (_gate)
        {
            if (body?["clear"]?.GetValue<bool>() == true)
            {
                _queue.ForEach(p => p.State = "deleted");
                _queue.Clear();
            }
            foreach (var id in (body?["delete"] as JsonArray ?? []).Select(i => i?.GetValue<string>()))
            {
                _deleted.Enqueue(id!);
                foreach (var prompt in _queue.Where(p => p.Id == id).ToList())
                {
                    prompt.State = "deleted";
                    _queue.Remove(prompt);
                }
            }
        }
        http.Response.StatusCode = 200;
    }

    private async Task InterruptAsync(HttpContext http)
    {
        string? id = null;
        try
        {
            id = (await JsonNode.ParseAsync(http.Request.Body) as JsonObject)?["prompt_id"]?.GetValue<string>();
        }
        catch (JsonException)
        {
            // No body: a global interrupt, as server.py reads it.
        }
        _interrupts.Enqueue(id);
        lock (_gate)
        {
            if (_running is { } running && (id is null || running.Id == id))
            {
                running.Interrupt = true;
            }
        }
        http.Response.StatusCode = 200;
    }

    private async Task UploadAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType)
        {
            http.Response.StatusCode = 400;
            return;
        }
        var form = await http.Request.ReadFormAsync();
        var file = form.Files["image"];
        if (file is null || string.IsNullOrEmpty(file.FileName))
        {
            http.Response.StatusCode = 400;
            return;
        }
        var type = form["type"].ToString() is { Length: > 0 } t ? t : "input";
        var subfolder = form["subfolder"].ToString();
        if (type is not ("input" or "temp" or "output") || file.FileName.Contains("..", StringComparison.Ordinal) || subfolder.Contains("..", StringComparison.Ordinal))
        {
            http.Response.StatusCode = 400;
            return;
        }
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer);
        var bytes = buffer.ToArray();
        var name = file.FileName;
        var overwrite = form["overwrite"].ToString() is "true" or "1";
        var stem = Path.GetFileNameWithoutExtension(name);
        var extension = Path.GetExtension(name);
        for (var n = 1; !overwrite && _files.TryGetValue(Key(type, subfolder, name), out var existing) && !existing.AsSpan().SequenceEqual(bytes); n++)
        {
            name = $"{stem} ({n}){extension}";
        }
        _files[Key(type, subfolder, name)] = bytes;
        await http.Response.WriteAsJsonAsync(new JsonObject { ["name"] = name, ["subfolder"] = subfolder, ["type"] = type });
    }

    private static string Key(string type, string subfolder, string name) => subfolder.Length == 0 ? $"{type}/{name}" : $"{type}/{subfolder}/{name}";

    private async Task ViewAsync(HttpContext http)
    {
        var name = http.Request.Query["filename"].ToString();
        var subfolder = http.Request.Query["subfolder"].ToString();
        var type = http.Request.Query["type"].ToString() is { Length: > 0 } t ? t : "output";
        if (name.Length == 0 || name.StartsWith('/') || name.Contains("..", StringComparison.Ordinal))
        {
            http.Response.StatusCode = 400;
            return;
        }
        if (subfolder.Contains("..", StringComparison.Ordinal))
        {
            http.Response.StatusCode = 403;
            return;
        }
        if (!_files.TryGetValue(Key(type, subfolder, name), out var bytes))
        {
            http.Response.StatusCode = 404;
            return;
        }
        http.Response.ContentType = "image/png";
        http.Response.Headers.ContentDisposition = $"filename=\"{name}\"";
        await http.Response.Body.WriteAsync(bytes);
    }

    private async Task RunQueueAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await _work.WaitAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            FakeComfyPrompt? prompt;
            lock (_gate)
            {
                prompt = _queue.OrderBy(p => p.Number).FirstOrDefault();
                if (prompt is null)
                {
                    continue;
                }
                _queue.Remove(prompt);
                _running = prompt;
                prompt.State = "running";
            }
            try
            {
                _history[prompt.Id] = await RunAsync(prompt);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or NullReferenceException or FormatException)
            {
                // A graph the fake cannot follow fails as a node's exception would in ComfyUI.
                prompt.State = "error";
                _history[prompt.Id] = Entry(prompt, new JsonObject(), "error", new JsonArray(new JsonArray("execution_error", new JsonObject
                {
                    ["prompt_id"] = prompt.Id, ["node_id"] = "?", ["node_type"] = "?", ["exception_message"] = e.Message, ["exception_type"] = e.GetType().Name,
                })));
            }
            finally
            {
                lock (_gate)
                {
                    _running = null;
                }
            }
        }
    }

    /// <summary>One run: the sampler chain read from the graph, the steps, and the history entry it ends in.</summary>
    private async Task<JsonObject> RunAsync(FakeComfyPrompt prompt)
    {
        var start = Now;
        var messages = new JsonArray(new JsonArray("execution_start", new JsonObject { ["prompt_id"] = prompt.Id, ["timestamp"] = start }));
        var outputs = new JsonObject();
        var sampler = Read(prompt);
        for (var step = 0; step < Steps || Fault == ComfyUiFault.NeverFinish; step++)
        {
            if (prompt.Interrupt)
            {
                prompt.State = "interrupted";
                messages.Add(new JsonArray("execution_interrupted", new JsonObject
                {
                    ["prompt_id"] = prompt.Id, ["node_id"] = sampler, ["node_type"] = "KSampler", ["executed"] = new JsonArray(), ["timestamp"] = Now,
                }));
                return Entry(prompt, outputs, "error", messages);
            }
            await Task.Delay(StepTime > TimeSpan.Zero ? StepTime : TimeSpan.FromMilliseconds(Fault == ComfyUiFault.NeverFinish ? 10 : 0), _stopping.Token);
        }
        if (Fault == ComfyUiFault.ExecutionError)
        {
            prompt.State = "error";
            messages.Add(new JsonArray("execution_error", new JsonObject
            {
                ["prompt_id"] = prompt.Id, ["node_id"] = sampler, ["node_type"] = "KSampler", ["executed"] = new JsonArray(),
                ["exception_message"] = "Allocation on device 0 would exceed allowed memory. (out of memory)\n",
                ["exception_type"] = "torch.OutOfMemoryError", ["traceback"] = new JsonArray("Traceback (most recent call last):\n"),
                ["current_inputs"] = new JsonObject(), ["current_outputs"] = new JsonObject(), ["timestamp"] = Now,
            }));
            return Entry(prompt, outputs, "error", messages);
        }
        foreach (var output in _outputsOf.GetValueOrDefault(prompt.Id, []))
        {
            var preview = prompt.Graph[output]!["class_type"]!.GetValue<string>() == "PreviewImage";
            var images = new JsonArray();
            for (var n = 0; n < prompt.Count; n++)
            {
                var name = $"{(preview ? "ComfyUI_temp" : prompt.Graph[output]!["inputs"]!["filename_prefix"]!.ToString())}_{Interlocked.Increment(ref _outputCounter):D5}_.png";
                var type = preview ? "temp" : "output";
                if (Fault != ComfyUiFault.MissingFiles)
                {
                    _files[Key(type, "", name)] = Fault == ComfyUiFault.OutputsNotImages
                        ? Encoding.UTF8.GetBytes("<html>not an image</html>")
                        : Paint(prompt.Prompt ?? "", prompt.Seed, n, prompt.Width, prompt.Height);
                }
                images.Add(new JsonObject { ["filename"] = name, ["subfolder"] = "", ["type"] = type });
            }
            outputs[output] = new JsonObject { ["images"] = images };
        }
        messages.Add(new JsonArray("execution_success", new JsonObject { ["prompt_id"] = prompt.Id, ["timestamp"] = Now }));
        prompt.State = "success";
        return Entry(prompt, outputs, "success", messages);
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private JsonObject Entry(FakeComfyPrompt prompt, JsonObject outputs, string status, JsonArray messages) => new()
    {
        ["prompt"] = Item(prompt),
        ["outputs"] = outputs,
        ["status"] = new JsonObject { ["status_str"] = status, ["completed"] = status == "success", ["messages"] = messages },
        ["meta"] = new JsonObject(),
    };

    /// <summary>Follows the first output back to its sampler: the positive prompt's text, the seed, the latent's count and size. Returns the sampler's id.</summary>
    private string Read(FakeComfyPrompt prompt)
    {
        var graph = prompt.Graph;
        JsonObject Node(JsonNode? link) => graph[link![0]!.GetValue<string>()]!.AsObject();
        string Class(JsonObject node) => node["class_type"]!.GetValue<string>();
        JsonObject Inputs(JsonObject node) => node["inputs"]!.AsObject();

        var output = graph[_outputsOf[prompt.Id][0]]!.AsObject();
        var decode = Node(Inputs(output)["images"]);
        var samplerLink = Inputs(decode)["samples"]!;
        var sampler = Node(samplerLink);
        prompt.Seed = Inputs(sampler)["seed"]!.GetValue<long>();
        var positive = Node(Inputs(sampler)["positive"]);
        while (Class(positive) != "CLIPTextEncode")
        {
            positive = Node(Inputs(positive)["positive"]);
        }
        prompt.Prompt = Inputs(positive)["text"]!.ToString();
        (prompt.Count, prompt.Width, prompt.Height) = Latent(prompt, Inputs(sampler)["latent_image"]!);
        foreach (var (_, node) in graph)
        {
            var name = node!["inputs"]?["image"]?.ToString();
            if (name is not null && _files.TryGetValue("input/" + name, out var bytes))
            {
                (Class(node.AsObject()) == "LoadImageMask" ? prompt.LoadedMasks : prompt.Loaded)[name] = ImageCodec.Decode(bytes);
            }
        }
        return samplerLink[0]!.GetValue<string>();

        (int Count, int Width, int Height) Latent(FakeComfyPrompt p, JsonNode link)
        {
            var node = Node(link);
            var inputs = Inputs(node);
            switch (Class(node))
            {
                case "EmptyLatentImage":
                    return (inputs["batch_size"]!.GetValue<int>(), inputs["width"]!.GetValue<int>(), inputs["height"]!.GetValue<int>());
                case "RepeatLatentBatch":
                    var (count, width, height) = Latent(p, inputs["samples"]!);
                    return (count * inputs["amount"]!.GetValue<int>(), width, height);
                case "InpaintModelConditioning":
                case "VAEEncode":
                case "VAEEncodeForInpaint":
                    var image = Node(inputs["pixels"]);
                    var loaded = ImageCodec.Decode(_files["input/" + Inputs(image)["image"]!.GetValue<string>()]);
                    return (1, loaded.Width, loaded.Height);
                default:
                    return (1, 64, 64);
            }
        }
    }

    /// <summary>An image in the colour of the prompt, seed and index.</summary>
    public static byte[] Paint(string prompt, long seed, int n, int width, int height) => FakeSdWebui.Paint(prompt, seed + n, width, height);

    public async ValueTask DisposeAsync()
    {
        ReleaseHeldAnswers();
        await _stopping.CancelAsync();
        await _runner;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
        _work.Dispose();
    }
}
