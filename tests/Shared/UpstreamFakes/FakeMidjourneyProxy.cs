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

/// <summary>Which proxy the fake is: trueai-org's (UPSTREAMS.md 1.1) or novicezk's (1.2).</summary>
public enum FakeMjFlavour
{
    TrueAi,
    Novicezk,
}

/// <summary>How the fake proxy answers a submission (imagine, action or modal; NZ: imagine, change, simple-change).</summary>
public enum MjSubmitFault
{
    None,
    /// <summary>A full queue: TI's code 9 "提交失败，队列已满，请稍后重试", NZ's code 23 "队列已满，请稍后尝试".</summary>
    QueueFull,
    /// <summary>Code 24 with properties.bannedWord.</summary>
    BannedPrompt,
    /// <summary>Code 4, as TI answers a missing or malformed field.</summary>
    Validation,
    ServerError,
    /// <summary>Records and starts the job, then holds the answer until <see cref="FakeMidjourneyProxy.ReleaseHeld"/> (a crash window).</summary>
    HoldAnswer,
}

/// <summary>What a task the fake took comes to.</summary>
public enum MjJobFault
{
    None,
    /// <summary>FAILURE with a generation failReason.</summary>
    Fail,
    /// <summary>FAILURE with Midjourney's banned-prompt failReason.</summary>
    Moderation,
    NeverFinish,
    /// <summary>SUCCESS whose image URLs serve HTML.</summary>
    ResultsNotImages,
}

/// <summary>One task the fake holds: its request as received, and what it paints.</summary>
public sealed class FakeMjTask
{
    /// <summary>When the fake read the call (a Stopwatch timestamp): the relay benchmark's arrival time.</summary>
    public long ReceivedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    public required string Id { get; init; }
    public required string Action { get; init; }
    public string? ParentId { get; init; }
    public string? CustomId { get; init; }
    public required string Prompt { get; set; }
    public string? State { get; init; }
    public string? NotifyHook { get; init; }
    public bool? Strong { get; init; }
    public string? BotType { get; init; }

    /// <summary>NZ's change index (1-4) of a U n or V n, as received.</summary>
    public int? Index { get; init; }

    /// <summary>NZ's description ("/imagine prompt", "/up id U2"); TI's fake builds its own.</summary>
    public string? Description { get; init; }

    /// <summary>Why Discord will refuse the job when it is run (NZ takes an index outside 1-4 and fails the task then).</summary>
    public string? RejectReason { get; init; }

    /// <summary>What its images are painted from: the colour of image n is FakeGateway.ColourOf(PaintKey, n).</summary>
    public required string PaintKey { get; set; }

    /// <summary>For an upscale (U n): n - 1, so its one image is painted as image n of its grid was.</summary>
    public int Offset { get; set; }

    /// <summary>An upscale: one image, buttons of a single image.</summary>
    public bool IsUpscale { get; init; }

    public MjJobFault Fault { get; init; }
    public RgbaImage? Mask { get; set; }
    private int _modals;
    private volatile string _status = "NOT_START";
    private volatile string? _progress = "0%";

    /// <summary>How many modals it received (TI starts the task again on each).</summary>
    public int Modals => Volatile.Read(ref _modals);

    public string Status { get => _status; set => _status = value; }

    public string? Progress { get => _progress; set => _progress = value; }

    public void CountModal() => Interlocked.Increment(ref _modals);
    public string? FailReason { get; set; }
    public long SubmitTime { get; init; }
}

/// <summary>
/// trueai-org's midjourney-proxy on 127.0.0.1 as ../shared/UPSTREAMS.md section 1.1 gives it: POST /mj/submit/imagine,
/// /action and /modal answered with SubmitResultVO {code, description, result, properties}; GET /mj/task/{id}/fetch with
/// the TaskInfo (no body, HTTP 204, for an unknown id, as TI's null answer is sent), POST /mj/task/{id}/cancel (TI fails
/// the task "取消任务"), POST /mj/task/list-by-condition by ids only. Auth by <c>mj-api-secret</c> (or a bare
/// Authorization token); anything else is 401 "Authorization header missing.". Tasks go NOT_START → SUBMITTED 0% →
/// IN_PROGRESS n% → SUCCESS 100% over <see cref="WorkTime"/>, posting the whole task to their notifyHook on each change.
/// A grid's images are painted in FakeGateway.ColourOf(its paint key, n): imageUrls one per image (unless
/// <see cref="OmitImageUrls"/>), imageUrl one 2x2 grid picture of the four. Buttons as TI builds them from Discord's:
/// U1-U4, reroll, V1-V4 on a grid; Upscale/Vary/Zoom/pan on an upscale. An action on Vary (Region), Custom Zoom, or with
/// enableRemix makes a MODAL task and answers code 21; the modal starts it (TI does not check that it is still MODAL, so
/// neither does the fake: it counts modals per task). Each documented failure is a setting.
/// </summary>
public sealed partial class FakeMidjourneyProxy : IAsyncDisposable
{
    public const string Secret = "mj-fake-secret";

    /// <summary>The side of each image (a grid picture is twice it).</summary>
    public const int Side = 64;

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, FakeMjTask> _tasks = new();
    private readonly ConcurrentQueue<(string Route, JsonObject Body)> _submissions = new();
    private readonly HttpClient _hooks = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _next = 1730000000000100;
    private int _cancels;
    private int _hookPosts;

    private FakeMidjourneyProxy(WebApplication app, FakeMjFlavour flavour) => (_app, Flavour) = (app, flavour);

    public FakeMjFlavour Flavour { get; }

    private bool Nz => Flavour == FakeMjFlavour.Novicezk;

    public string BaseUrl { get; private set; } = "";

    public MjSubmitFault SubmitFault { get; set; }

    /// <summary>Which submit route the fault applies to ("imagine", "action", "modal"; null: all).</summary>
    public string? FaultRoute { get; set; }

    public MjJobFault JobFault { get; set; }

    /// <summary>Answer code 22 (queued) rather than 1.</summary>
    public bool AnswerQueued { get; set; }

    /// <summary>Leave imageUrls out of finished tasks (TI without it, NZ): only the grid's imageUrl.</summary>
    public bool OmitImageUrls { get; set; }

    public bool SendsHooks { get; set; } = true;

    /// <summary>A task's time from NOT_START to SUCCESS; zero finishes it at once (the relay benchmark's setting).</summary>
    public TimeSpan WorkTime { get; set; } = TimeSpan.FromMilliseconds(400);

    public TaskCompletionSource HeldArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseHeld() => _release.TrySetResult();

    public IReadOnlyDictionary<string, FakeMjTask> Tasks => _tasks;

    /// <summary>Every submission as received, in order: ("imagine" | "action" | "modal", its body).</summary>
    public IReadOnlyList<(string Route, JsonObject Body)> Submissions => _submissions.ToList();

    public int Cancels => Volatile.Read(ref _cancels);

    public int HookPosts => Volatile.Read(ref _hookPosts);

    /// <summary>A fake proxy on a free port of 127.0.0.1: trueai-org's (the default) or novicezk's, whose routes are its own.</summary>
    public static async Task<FakeMidjourneyProxy> StartAsync(FakeMjFlavour flavour = FakeMjFlavour.TrueAi)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeMidjourneyProxy(app, flavour);
        app.MapPost("/mj/submit/imagine", fake.ImagineAsync);
        if (flavour == FakeMjFlavour.Novicezk)
        {
            fake.MapNovicezk(app);
        }
        else
        {
            app.MapPost("/mj/submit/action", fake.ActionAsync);
            app.MapPost("/mj/submit/modal", fake.ModalAsync);
            app.MapPost("/mj/task/{id}/cancel", (HttpContext http, string id) => fake.CancelAsync(http, id));
        }
        app.MapGet("/mj/task/{id}/fetch", (HttpContext http, string id) => fake.FetchAsync(http, id));
        app.MapPost("/mj/task/list-by-condition", fake.ListAsync);
        app.MapGet("/cdn/{id}/{n}", (HttpContext http, string id, string n) => fake.ImageAsync(http, id, n));
        await app.StartAsync();
        fake.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return fake;
    }

    /// <summary>The colour of image n of a task: what a test compares a result with.</summary>
    public static (byte R, byte G, byte B) Colour(FakeMjTask task, int n) => FakeGateway.ColourOf(task.PaintKey, n + task.Offset);

    private async Task ImagineAsync(HttpContext http)
    {
        if (await ReadAsync(http, "imagine") is not { } body)
        {
            return;
        }
        var prompt = Text(body, "prompt");
        if (string.IsNullOrWhiteSpace(prompt))
        {
            await AnswerAsync(http, 200, Result(4, "prompt不能为空"));
            return;
        }
        if (await FaultAsync(http, "imagine", prompt))
        {
            return;
        }
        var task = NewTask("IMAGINE", null, null, prompt, prompt, body, single: false);
        if (Nz)
        {
            // NZ trims the prompt and describes the task by its command.
            task = NewTask("IMAGINE", null, null, prompt.Trim(), prompt.Trim(), body, single: false, description: "/imagine " + prompt.Trim());
        }
        await AcceptAsync(http, task, "imagine");
    }

    private async Task ActionAsync(HttpContext http)
    {
        if (await ReadAsync(http, "action") is not { } body)
        {
            return;
        }
        var (taskId, customId) = (Text(body, "taskId"), Text(body, "customId"));
        if (string.IsNullOrWhiteSpace(taskId) || string.IsNullOrWhiteSpace(customId))
        {
            await AnswerAsync(http, 200, Result(4, "参数错误"));
            return;
        }
        if (!_tasks.TryGetValue(taskId, out var target))
        {
            await AnswerAsync(http, 404, Result(3, "关联任务不存在或已失效"));
            return;
        }
        if (target.Status != "SUCCESS")
        {
            await AnswerAsync(http, 200, Result(4, "关联任务状态错误"));
            return;
        }
        // Stricter than TI, which would pass it to Discord: a customId not among the target's buttons is refused here.
        if (!Buttons(target).Any(b => b!["customId"]!.GetValue<string>() == customId))
        {
            await AnswerAsync(http, 200, Result(4, "未知的 Action 类型"));
            return;
        }
        if (await FaultAsync(http, "action", target.Prompt))
        {
            return;
        }
        var parts = customId!.Split("::");
        var kind = parts[1] == "JOB" ? parts[2] : parts[1];
        var index = parts.Length > 3 && int.TryParse(parts[3], out var i) ? i : 1;
        var remix = body["enableRemix"]?.GetValueKind() == JsonValueKind.True;
        var (action, single) = kind switch
        {
            "upsample" => ("UPSCALE", true),
            var k when k.StartsWith("upsample_", StringComparison.Ordinal) => ("UPSCALE_HD", true),
            "variation" or "low_variation" or "high_variation" => ("VARIATION", false),
            "reroll" => ("REROLL", false),
            "Outpaint" or "CustomZoom" => ("ZOOM", false),
            "Inpaint" => ("INPAINT", false),
            _ => ("PAN", false),
        };
        // An upscale is image n of its parent at full size; anything else is four new images of the parent's prompt and the button.
        var key = action == "UPSCALE" ? target.PaintKey : $"{target.PaintKey}>{customId!.Split("::")[..^1].Aggregate((a, b) => a + "::" + b)}";
        var task = NewTask(action, target.Id, customId, target.Prompt, key, body, single, strong: body["strong"]?.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? body["strong"]!.GetValue<bool>() : null);
        if (action == "UPSCALE")
        {
            task.Offset = index - 1;
        }
        if (kind is "Inpaint" or "CustomZoom" || remix)
        {
            task.Status = "MODAL";
            _tasks[task.Id] = task;
            await AnswerAsync(http, 200, Result(21, "Waiting for window confirm", task.Id, new JsonObject { ["finalPrompt"] = target.Prompt, ["remix"] = true }));
            return;
        }
        await AcceptAsync(http, task, "action");
    }

    private async Task ModalAsync(HttpContext http)
    {
        if (await ReadAsync(http, "modal") is not { } body)
        {
            return;
        }
        var (taskId, prompt) = (Text(body, "taskId"), Text(body, "prompt"));
        if (string.IsNullOrWhiteSpace(taskId) || string.IsNullOrWhiteSpace(prompt))
        {
            await AnswerAsync(http, 200, Result(4, "参数错误"));
            return;
        }
        if (!_tasks.TryGetValue(taskId, out var task))
        {
            await AnswerAsync(http, 404, Result(3, "关联任务不存在或已失效"));
            return;
        }
        if (await FaultAsync(http, "modal", prompt))
        {
            return;
        }
        if (Text(body, "maskBase64") is { } mask)
        {
            const string prefix = "data:image/png;base64,";
            var bytes = mask.StartsWith(prefix, StringComparison.Ordinal) ? Decode(mask[prefix.Length..]) : null;
            if (bytes is null || ImageCodec.Sniff(bytes) != ImageFormat.Png)
            {
                await AnswerAsync(http, 200, Result(4, "base64格式错误"));
                return;
            }
            task.Mask = ImageCodec.Decode(bytes);
        }
        task.CountModal();
        task.Prompt = prompt;
        task.PaintKey = $"{task.PaintKey}|{prompt}";
        task.Status = "NOT_START";
        await AcceptAsync(http, task, "modal");
    }

    private async Task FetchAsync(HttpContext http, string id)
    {
        if (!await AuthorisedAsync(http))
        {
            return;
        }
        if (!_tasks.TryGetValue(id, out var task))
        {
            // Both return a null task: ASP.NET Core (TI) sends it as 204 without a body, Spring (NZ) as 200 without one.
            http.Response.StatusCode = Nz ? 200 : 204;
            return;
        }
        await AnswerAsync(http, 200, Info(task));
    }

    private async Task CancelAsync(HttpContext http, string id)
    {
        if (!await AuthorisedAsync(http))
        {
            return;
        }
        Interlocked.Increment(ref _cancels);
        if (_tasks.TryGetValue(id, out var task) && task.Status is not ("SUCCESS" or "FAILURE" or "CANCEL"))
        {
            Fail(task, "取消任务");
        }
        http.Response.StatusCode = 200;
    }

    private async Task ListAsync(HttpContext http)
    {
        if (await ReadAsync(http, null) is not { } body)
        {
            return;
        }
        var ids = body["ids"] is JsonArray list ? list.Select(i => i?.GetValueKind() == JsonValueKind.String ? i.GetValue<string>().Trim() : "").ToHashSet() : [];
        await AnswerAsync(http, 200, new JsonArray(_tasks.Values.Where(t => ids.Contains(t.Id)).Select(t => (JsonNode)Info(t)).ToArray()));
    }

    private async Task ImageAsync(HttpContext http, string id, string n)
    {
        if (n == "preview" && _tasks.TryGetValue(id, out var running) && running.Status == "IN_PROGRESS")
        {
            http.Response.ContentType = "image/png";
            await http.Response.Body.WriteAsync(Paint((128, 128, 128)));
            return;
        }
        if (!_tasks.TryGetValue(id, out var task) || task.Status != "SUCCESS")
        {
            http.Response.StatusCode = 404;
            return;
        }
        if (task.Fault == MjJobFault.ResultsNotImages)
        {
            http.Response.ContentType = "text/html";
            await http.Response.WriteAsync("<html>not an image</html>");
            return;
        }
        http.Response.ContentType = "image/png";
        await http.Response.Body.WriteAsync(n == "grid" ? GridPng(task) : Paint(Colour(task, int.Parse(n, System.Globalization.CultureInfo.InvariantCulture))));
    }

    private FakeMjTask NewTask(string action, string? parent, string? customId, string prompt, string key, JsonObject body, bool single, bool? strong = null,
        string? description = null, int? index = null, string? reject = null) => new()
    {
        Id = Interlocked.Increment(ref _next).ToString(System.Globalization.CultureInfo.InvariantCulture),
        Action = action, ParentId = parent, CustomId = customId, Prompt = prompt, PaintKey = key, IsUpscale = single, Strong = strong,
        State = Text(body, "state"), NotifyHook = Text(body, "notifyHook"), BotType = Text(body, "botType"), Fault = JobFault,
        SubmitTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Description = description, Index = index, RejectReason = reject,
        // NZ's Task has no progress until it is started ("0%"); TI's starts at "0%".
        Progress = Nz ? null : "0%",
    };

    private async Task AcceptAsync(HttpContext http, FakeMjTask task, string route)
    {
        _tasks[task.Id] = task;
        _ = RunAsync(task);
        if (SubmitFault == MjSubmitFault.HoldAnswer && (FaultRoute is null || FaultRoute == route))
        {
            HeldArrived.TrySetResult();
            await _release.Task;
        }
        var answer = AnswerQueued
            ? Result(22, "排队中，前面还有1个任务", task.Id, new JsonObject { ["numberOfQueues"] = 1, ["discordInstanceId"] = "1118138338562560102" })
            : Result(1, "Success", task.Id, new JsonObject { ["discordInstanceId"] = "1118138338562560102" });
        try
        {
            await AnswerAsync(http, 200, answer);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The caller went away while the answer was held (a killed Easel): the task stands, as it would at TI.
        }
    }

    /// <summary>The task's life: NOT_START → SUBMITTED 0% → IN_PROGRESS 25/50/75% → SUCCESS 100% (or its fault), each change posted to its hook.</summary>
    private async Task RunAsync(FakeMjTask task)
    {
        var step = WorkTime / 5;
        try
        {
            await HookAsync(task);
            if (task.RejectReason is { } reject)
            {
                // NZ's executeTask: Discord refused the interaction, the task fails before it is started.
                Fail(task, reject);
                await HookAsync(task);
                return;
            }
            foreach (var (status, progress) in new[] { ("SUBMITTED", "0%"), ("IN_PROGRESS", "25%"), ("IN_PROGRESS", "50%"), ("IN_PROGRESS", "75%") })
            {
                if (step > TimeSpan.Zero)
                {
                    await Task.Delay(step, _stopping.Token);
                }
                if (task.Status is "FAILURE" or "CANCEL")
                {
                    return;
                }
                (task.Status, task.Progress) = (status, progress);
                await HookAsync(task);
            }
            if (task.Fault == MjJobFault.NeverFinish)
            {
                if (Nz)
                {
                    // NZ's TaskTimeoutSchedule fails a running task older than its account's timeout-minutes.
                    await Task.Delay(NzTimeout, _stopping.Token);
                    Fail(task, "任务超时");
                    await HookAsync(task);
                }
                return;
            }
            if (step > TimeSpan.Zero)
            {
                await Task.Delay(step, _stopping.Token);
            }
            if (task.Status is "FAILURE" or "CANCEL")
            {
                return;
            }
            switch (task.Fault)
            {
                case MjJobFault.Fail:
                    Fail(task, "Internal Error: the job failed to render");
                    break;
                case MjJobFault.Moderation:
                    Fail(task, "Banned prompt detected: the prompt may contain a banned word");
                    break;
                default:
                    (task.Progress, task.Status) = ("100%", "SUCCESS");
                    break;
            }
            await HookAsync(task);
        }
        catch (OperationCanceledException)
        {
            // The fake stops.
        }
    }

    private static void Fail(FakeMjTask task, string reason) => (task.FailReason, task.Progress, task.Status) = (reason, "", "FAILURE");

    private async Task HookAsync(FakeMjTask task)
    {
        if (!SendsHooks || task.NotifyHook is not { Length: > 0 } hook || task.Status == "MODAL")
        {
            return;
        }
        try
        {
            using var content = new StringContent(Info(task).ToJsonString(), Encoding.UTF8, "application/json");
            using var response = await _hooks.PostAsync(hook, content, _stopping.Token);
            Interlocked.Increment(ref _hookPosts);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            // Fire and forget, no retry: TI's NotifyService only logs a failed post.
        }
    }

    /// <summary>The TaskInfo, camelCase with enum strings, as TI's System.Text.Json writes it (the fields a client reads).</summary>
    public JsonObject Info(FakeMjTask task)
    {
        if (Nz)
        {
            return NzTask(task);
        }
        var done = task.Status == "SUCCESS";
        var info = new JsonObject
        {
            ["id"] = task.Id, ["parentId"] = task.ParentId, ["action"] = task.Action, ["status"] = task.Status,
            ["prompt"] = task.Prompt, ["promptEn"] = task.Prompt, ["description"] = $"/{task.Action.ToLowerInvariant()} {task.Prompt}",
            ["state"] = task.State, ["submitTime"] = task.SubmitTime, ["startTime"] = task.Status == "NOT_START" ? null : task.SubmitTime,
            ["finishTime"] = done || task.Status == "FAILURE" ? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() : null,
            ["progress"] = task.Progress, ["failReason"] = task.FailReason, ["botType"] = task.BotType ?? "MID_JOURNEY", ["mode"] = "FAST",
            ["imageUrl"] = done ? $"{BaseUrl}/cdn/{task.Id}/{(task.IsUpscale ? "0" : "grid")}" : null,
            ["buttons"] = done ? Buttons(task) : new JsonArray(),
            ["properties"] = new JsonObject { ["finalPrompt"] = task.Prompt, ["notifyHook"] = task.NotifyHook, ["discordInstanceId"] = "1118138338562560102" },
        };
        if (done && !OmitImageUrls)
        {
            info["imageUrls"] = new JsonArray(Enumerable.Range(0, task.IsUpscale ? 1 : 4)
                .Select(n => (JsonNode)new JsonObject { ["url"] = $"{BaseUrl}/cdn/{task.Id}/{n}", ["thumbnail"] = null }).ToArray());
        }
        return info;
    }

    /// <summary>The buttons TI stores from Discord's components: a grid's U/reroll/V rows, an upscale's Upscale/Vary/Zoom/pan rows.</summary>
    public static JsonArray Buttons(FakeMjTask task)
    {
        var hash = $"{task.Id[^4..]}a0f-36af-4a0f-8f02-df6c579e7011";
        JsonNode Button(string customId, string label, string emoji = "", int style = 2) =>
            new JsonObject { ["customId"] = customId, ["emoji"] = emoji, ["label"] = label, ["style"] = style, ["type"] = 2 };
        if (!task.IsUpscale)
        {
            var grid = new List<JsonNode>();
            grid.AddRange(Enumerable.Range(1, 4).Select(i => Button($"MJ::JOB::upsample::{i}::{hash}", $"U{i}")));
            grid.Add(Button($"MJ::JOB::reroll::0::{hash}::SOLO", "", "🔄"));
            grid.AddRange(Enumerable.Range(1, 4).Select(i => Button($"MJ::JOB::variation::{i}::{hash}", $"V{i}")));
            return new JsonArray(grid.ToArray());
        }
        return new JsonArray(
            Button($"MJ::JOB::upsample_v7_2x_subtle::1::{hash}::SOLO", "Upscale (Subtle)"),
            Button($"MJ::JOB::upsample_v7_2x_creative::1::{hash}::SOLO", "Upscale (Creative)"),
            Button($"MJ::JOB::low_variation::1::{hash}::SOLO", "Vary (Subtle)", "🪄"),
            Button($"MJ::JOB::high_variation::1::{hash}::SOLO", "Vary (Strong)", "🪄"),
            Button($"MJ::Inpaint::1::{hash}::SOLO", "Vary (Region)", "🖌️"),
            Button($"MJ::Outpaint::50::1::{hash}::SOLO", "Zoom Out 2x", "🔍"),
            Button($"MJ::Outpaint::75::1::{hash}::SOLO", "Zoom Out 1.5x", "🔍"),
            Button($"MJ::CustomZoom::1::{hash}", "Custom Zoom", "🔍"),
            Button($"MJ::JOB::pan_left::1::{hash}::SOLO", "", "⬅️"),
            Button($"MJ::JOB::pan_right::1::{hash}::SOLO", "", "➡️"),
            Button($"MJ::JOB::pan_up::1::{hash}::SOLO", "", "⬆️"),
            Button($"MJ::JOB::pan_down::1::{hash}::SOLO", "", "⬇️"),
            Button($"MJ::BOOKMARK::{hash}", "", "❤️"));
    }

    private async Task<bool> FaultAsync(HttpContext http, string route, string prompt)
    {
        if (FaultRoute is not null && FaultRoute != route)
        {
            return false;
        }
        switch (SubmitFault)
        {
            case MjSubmitFault.QueueFull:
                await AnswerAsync(http, 200, Nz ? Result(23, "队列已满，请稍后尝试", null, new JsonObject { ["discordInstanceId"] = "1118138338562560102" })
                    : Result(9, "提交失败，队列已满，请稍后重试"));
                return true;
            case MjSubmitFault.BannedPrompt:
                await AnswerAsync(http, 200, Result(24, "可能包含敏感词", null, new JsonObject { ["promptEn"] = prompt, ["bannedWord"] = prompt.Split(' ')[0] }));
                return true;
            case MjSubmitFault.Validation:
                await AnswerAsync(http, 200, Result(4, "参数错误"));
                return true;
            case MjSubmitFault.ServerError:
                if (Nz)
                {
                    await SpringErrorAsync(http, 500, "Internal Server Error");
                    return true;
                }
                http.Response.StatusCode = 500;
                await http.Response.WriteAsync("Internal Server Error");
                return true;
            default:
                return false;
        }
    }

    private async Task<JsonObject?> ReadAsync(HttpContext http, string? route)
    {
        if (!await AuthorisedAsync(http))
        {
            return null;
        }
        try
        {
            if (await JsonNode.ParseAsync(http.Request.Body) is JsonObject body)
            {
                if (route is not null)
                {
                    _submissions.Enqueue((route, (JsonObject)body.DeepClone()));
                }
                return body;
            }
        }
        catch (JsonException)
        {
            // Answered below as ASP.NET Core's model binding would: 400.
        }
        if (Nz)
        {
            await SpringErrorAsync(http, 400, "Bad Request");
            return null;
        }
        http.Response.StatusCode = 400;
        await http.Response.WriteAsJsonAsync(new JsonObject { ["title"] = "One or more validation errors occurred.", ["status"] = 400 });
        return null;
    }

    private async Task<bool> AuthorisedAsync(HttpContext http)
    {
        if (Nz)
        {
            return NzAuthorised(http);
        }
        var secret = http.Request.Headers["mj-api-secret"].ToString();
        if (secret.Length == 0)
        {
            secret = http.Request.Headers.Authorization.ToString();
        }
        if (secret == Secret)
        {
            return true;
        }
        http.Response.StatusCode = 401;
        await http.Response.WriteAsync("Authorization header missing.");
        return false;
    }

    private static JsonObject Result(int code, string description, string? result = null, JsonObject? properties = null) =>
        new() { ["code"] = code, ["description"] = description, ["result"] = result, ["properties"] = properties ?? new JsonObject() };

    private static async Task AnswerAsync(HttpContext http, int status, JsonNode body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(body.ToJsonString());
    }

    private static string? Text(JsonObject body, string name) => body[name]?.GetValueKind() == JsonValueKind.String ? body[name]!.GetValue<string>() : null;

    private static byte[]? Decode(string base64)
    {
        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, bytes, out var n) ? bytes[..n] : null;
    }

    private static byte[] Paint((byte R, byte G, byte B) colour)
    {
        var image = new RgbaImage(Side, Side);
        for (var i = 0; i < image.Pixels.Length; i += 4)
        {
            (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2], image.Pixels[i + 3]) = (colour.R, colour.G, colour.B, 255);
        }
        return ImageCodec.EncodePng(image, 1);
    }

    /// <summary>The four images in one 2x2 picture: 1 top left, 2 top right, 3 bottom left, 4 bottom right.</summary>
    private static byte[] GridPng(FakeMjTask task)
    {
        var image = new RgbaImage(Side * 2, Side * 2);
        for (var y = 0; y < Side * 2; y++)
        {
            for (var x = 0; x < Side * 2; x++)
            {
                var (r, g, b) = Colour(task, (x < Side ? 0 : 1) + (y < Side ? 0 : 2));
                var i = ((y * Side * 2) + x) * 4;
                (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2], image.Pixels[i + 3]) = (r, g, b, 255);
            }
        }
        return ImageCodec.EncodePng(image, 1);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _release.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _hooks.Dispose();
        _stopping.Dispose();
    }
}
