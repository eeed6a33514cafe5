using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Easel.Core.Tasks;
using Easel.Server.Auth;
using Easel.Server.Http;

namespace Easel.Server.Dialects.Unified;

/// <summary>
/// GET /v1/tasks/{id}/events (an Easel extension): Server-Sent Events of one task. `progress` events carry
/// {id, status, progress} whenever either changes, then one `task` event carries the whole task object once it is
/// finished, and the stream ends. The events come from the store (read every <see cref="Interval"/>, finished tasks
/// from memory), so they work behind several nodes whichever node runs the task; polling GET /v1/tasks/{id} stays as
/// it is. A stream ends after <see cref="MaxDuration"/>; a client reconnects.
/// </summary>
internal static class UnifiedTaskEvents
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(30);

    public static async Task<IResult> StreamAsync(string taskId, HttpContext http, TaskService tasks, PublicUrls urls, TimeProvider time)
    {
        var account = http.Caller().Account;
        var first = await tasks.FindAsync(account, taskId, http.RequestAborted);
        if (first is null)
        {
            return UnifiedErrors.NotFound($"Task {taskId} was not found");
        }
        var baseUrl = urls.BaseUrl(http.Request);
        // Proxies (nginx) buffer responses unless told not to; an event held back is an event late.
        http.Response.Headers["X-Accel-Buffering"] = "no";
        http.Response.Headers.CacheControl = "no-cache";
        return TypedResults.ServerSentEvents(EventsAsync(first, account, tasks, baseUrl, time, http.RequestAborted));
    }

    private static async IAsyncEnumerable<SseItem<string>> EventsAsync(TaskRecord first, Core.Accounts.Account account, TaskService tasks, string baseUrl,
        TimeProvider time, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var task = first;
        (TaskState State, int Progress)? sent = null;
        while (true)
        {
            if (sent != (task.State, task.Progress))
            {
                sent = (task.State, task.Progress);
                yield return new SseItem<string>(JsonSerializer.Serialize(new ProgressEvent(task.Id, UnifiedTaskView.StatusOf(task.State),
                    task.State == TaskState.Completed ? 100 : task.Progress), UnifiedJson.Options), "progress");
            }
            if (task.IsTerminal)
            {
                var estimate = 0;
                yield return new SseItem<string>(JsonSerializer.Serialize(UnifiedTaskView.From(task, estimate, baseUrl, PublicUrls.FileUrl), UnifiedJson.Options), "task");
                yield break;
            }
            if (time.GetElapsedTime(started) > MaxDuration)
            {
                yield break;
            }
            await Task.Delay(Interval, time, cancellationToken);
            task = await tasks.FindAsync(account, first.Id, cancellationToken) ?? task;
        }
    }

    private sealed record ProgressEvent(
        [property: System.Text.Json.Serialization.JsonPropertyName("id")] string Id,
        [property: System.Text.Json.Serialization.JsonPropertyName("status")] string Status,
        [property: System.Text.Json.Serialization.JsonPropertyName("progress")] int Progress);
}
