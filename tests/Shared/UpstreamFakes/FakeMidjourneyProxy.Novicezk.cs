using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Easel.Testing.UpstreamFakes;

/// <summary>
/// The novicezk flavour of the fake (<see cref="FakeMjFlavour.Novicezk"/>): novicezk/midjourney-proxy as UPSTREAMS.md
/// section 1.2 gives it (read in NZ@0be95a9: SubmitController, TaskController, Task, ApiAuthorizeInterceptor,
/// ConvertUtils, DiscordInstanceImpl, TaskTimeoutSchedule). POST /mj/submit/imagine, /change {taskId, action, index} and
/// /simple-change {content "id U2" | "id V3" | "id R"}; GET /mj/task/{id}/fetch (a null task: 200 without a body);
/// POST /mj/task/list-by-condition. No /submit/action, /submit/modal or /task/{id}/cancel: Spring's 404 error JSON.
/// The secret only in <c>mj-api-secret</c>; a wrong one is 401 with an empty body (on /submit/** and /task/**, as its
/// interceptor's path patterns). Tasks are Jackson's Task: no buttons, no imageUrls, no parentId; progress null until
/// started; while IN_PROGRESS imageUrl is Discord's preview. A change is taken only on an IMAGINE, VARIATION, REROLL or
/// BLEND parent in SUCCESS (code 4 "关联任务不允许执行变化" / "关联任务状态错误"; an unknown parent code 3 at HTTP 200).
/// A task that never finishes is failed "任务超时" after <see cref="NzTimeout"/>, as NZ's timeout schedule does.
/// </summary>
public sealed partial class FakeMidjourneyProxy
{
    private static readonly string[] TaskActions = ["IMAGINE", "UPSCALE", "VARIATION", "REROLL", "DESCRIBE", "BLEND"];

    private readonly ConcurrentQueue<string> _unknownRoutes = new();

    /// <summary>NZ's timeout-minutes (5 by default): a running task older than it fails "任务超时".</summary>
    public TimeSpan NzTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Every request to a route NZ does not have ("POST /mj/task/1/cancel"), answered 404.</summary>
    public IReadOnlyList<string> UnknownRoutes => _unknownRoutes.ToList();

    private void MapNovicezk(WebApplication app)
    {
        app.MapPost("/mj/submit/change", async http =>
        {
            if (await ReadAsync(http, "change") is { } body)
            {
                await ChangeAsync(http, body);
            }
        });
        app.MapPost("/mj/submit/simple-change", SimpleChangeAsync);
        app.MapFallback(UnknownRouteAsync);
    }

    /// <summary>SubmitController.change, in its order of checks.</summary>
    private async Task ChangeAsync(HttpContext http, JsonObject body)
    {
        var taskId = Text(body, "taskId");
        if (string.IsNullOrWhiteSpace(taskId))
        {
            await AnswerAsync(http, 200, Result(4, "taskId不能为空"));
            return;
        }
        // Jackson binds action to the TaskAction enum and index to an Integer: anything else is Spring's 400.
        var actionNode = body["action"];
        var action = actionNode?.GetValueKind() == JsonValueKind.String ? actionNode.GetValue<string>() : null;
        var indexNode = body["index"];
        if ((actionNode is not null && actionNode.GetValueKind() != JsonValueKind.Null && !TaskActions.Contains(action))
            || (indexNode is not null && indexNode.GetValueKind() is not (JsonValueKind.Number or JsonValueKind.Null)))
        {
            await SpringErrorAsync(http, 400, "Bad Request");
            return;
        }
        if (action is null)
        {
            // Set.of(...).contains(null) throws in Java: a missing action is a 500.
            await SpringErrorAsync(http, 500, "Internal Server Error");
            return;
        }
        if (action is not ("UPSCALE" or "VARIATION" or "REROLL"))
        {
            await AnswerAsync(http, 200, Result(4, "action参数错误"));
            return;
        }
        var index = indexNode?.GetValueKind() == JsonValueKind.Number && indexNode.AsValue().TryGetValue<int>(out var i) ? i : (int?)null;
        if (!_tasks.TryGetValue(taskId, out var target))
        {
            await AnswerAsync(http, 200, Result(3, "关联任务不存在或已失效"));
            return;
        }
        if (target.Status != "SUCCESS")
        {
            await AnswerAsync(http, 200, Result(4, "关联任务状态错误"));
            return;
        }
        if (target.Action is not ("IMAGINE" or "VARIATION" or "REROLL" or "BLEND"))
        {
            await AnswerAsync(http, 200, Result(4, "关联任务不允许执行变化"));
            return;
        }
        if (action != "REROLL" && index is null)
        {
            // submitUpscale(..., int index, ...) unboxes a null Integer.
            await SpringErrorAsync(http, 500, "Internal Server Error");
            return;
        }
        if (await FaultAsync(http, "change", target.Prompt))
        {
            return;
        }
        var letter = action == "REROLL" ? "R" : $"{action[0]}{index}";
        var description = $"/up {taskId} {letter}";
        // NZ passes the index to Discord's button id unchecked: Discord refuses one outside 1-4, and the task fails when run.
        var reject = index is null or (>= 1 and <= 4) ? null : $"Discord refused the interaction: no button {letter}";
        var task = action switch
        {
            "UPSCALE" => NewTask("UPSCALE", target.Id, null, target.Prompt, target.PaintKey, body, single: true, description: description, index: index, reject: reject),
            _ => NewTask(action, target.Id, null, target.Prompt, $"{target.PaintKey}>{letter}", body, single: false, description: description, index: index, reject: reject),
        };
        if (action == "UPSCALE" && reject is null)
        {
            task.Offset = index!.Value - 1;
        }
        await AcceptAsync(http, task, "change");
    }

    /// <summary>SubmitController.simpleChange with ConvertUtils.convertChangeParams: "id U2", "id V3", "id R".</summary>
    private async Task SimpleChangeAsync(HttpContext http)
    {
        if (await ReadAsync(http, "simple-change") is not { } body)
        {
            return;
        }
        var parts = (Text(body, "content") ?? "").Split(' ');
        if (parts.Length != 2)
        {
            await AnswerAsync(http, 200, Result(4, "content参数错误"));
            return;
        }
        var word = parts[1].ToLowerInvariant();
        if (word.Length == 0)
        {
            // action.charAt(0) on an empty string throws: Spring's 500.
            await SpringErrorAsync(http, 500, "Internal Server Error");
            return;
        }
        var action = word[0] == 'u' ? "UPSCALE" : word[0] == 'v' ? "VARIATION" : word == "r" ? "REROLL" : null;
        int? index = null;
        if (action is "UPSCALE" or "VARIATION")
        {
            // Integer.parseInt(action.substring(1, 2)): one digit, 1-4.
            index = word.Length >= 2 && word[1] is >= '1' and <= '4' ? word[1] - '0' : null;
            if (index is null)
            {
                action = null;
            }
        }
        if (action is null)
        {
            await AnswerAsync(http, 200, Result(4, "content参数错误"));
            return;
        }
        var change = new JsonObject
        {
            ["taskId"] = parts[0], ["action"] = action, ["index"] = index, ["state"] = body["state"]?.DeepClone(), ["notifyHook"] = body["notifyHook"]?.DeepClone(),
        };
        await ChangeAsync(http, change);
    }

    private async Task UnknownRouteAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "/";
        _unknownRoutes.Enqueue($"{http.Request.Method} {path}");
        // The interceptor runs before Spring finds there is no handler, on its path patterns.
        if ((path.StartsWith("/mj/submit/", StringComparison.Ordinal) || path.StartsWith("/mj/task/", StringComparison.Ordinal)) && !NzAuthorised(http))
        {
            return;
        }
        await SpringErrorAsync(http, 404, "Not Found");
    }

    /// <summary>ApiAuthorizeInterceptor: the mj-api-secret header must equal the secret; otherwise 401 and no body.</summary>
    private static bool NzAuthorised(HttpContext http)
    {
        if (http.Request.Headers["mj-api-secret"].ToString() == Secret)
        {
            return true;
        }
        http.Response.StatusCode = 401;
        return false;
    }

    /// <summary>Spring Boot's BasicErrorController body (2.6: no message by default).</summary>
    private static Task SpringErrorAsync(HttpContext http, int status, string error) =>
        AnswerAsync(http, status, new JsonObject
        {
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture),
            ["status"] = status, ["error"] = error, ["path"] = http.Request.Path.Value,
        });

    /// <summary>NZ's Task as Jackson writes it (null fields included): no buttons, imageUrls or parentId.</summary>
    private JsonObject NzTask(FakeMjTask task)
    {
        var done = task.Status == "SUCCESS";
        var imageUrl = done ? $"{BaseUrl}/cdn/{task.Id}/{(task.IsUpscale ? "0" : "grid")}"
            : task.Status == "IN_PROGRESS" ? $"{BaseUrl}/cdn/{task.Id}/preview" : null;
        return new JsonObject
        {
            ["id"] = task.Id,
            ["properties"] = new JsonObject
            {
                ["notifyHook"] = task.NotifyHook, ["finalPrompt"] = task.Prompt, ["discordInstanceId"] = "1118138338562560102",
                ["nonce"] = "11" + task.Id,
            },
            ["action"] = task.Action, ["status"] = task.Status, ["prompt"] = task.Prompt, ["promptEn"] = task.Prompt,
            ["description"] = task.Description, ["state"] = task.State, ["submitTime"] = task.SubmitTime,
            ["startTime"] = task.Status == "NOT_START" ? null : task.SubmitTime,
            ["finishTime"] = done || task.Status == "FAILURE" ? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() : null,
            ["imageUrl"] = imageUrl, ["progress"] = task.Progress, ["failReason"] = task.FailReason,
        };
    }
}
