using System.Globalization;
using System.Text.Json.Serialization;
using Easel.Core.Tasks;
using Easel.Server.Auth;
using Easel.Server.Http;

namespace Easel.Server.Dialects.Unified;

/// <summary>
/// GET /v1/tasks?limit=&amp;state=&amp;before= — an Easel extension (the seeds define no list): the caller's own tasks,
/// newest first, each in the unified task shape. Page on with before=&lt;id of the last task of a page&gt;.
/// </summary>
internal static class UnifiedTaskList
{
    // The unified dialect reads a cancelled task as "failed"; "cancelled" narrows to those alone.
    private static readonly Dictionary<string, TaskState[]> States = new(StringComparer.Ordinal)
    {
        ["pending"] = [TaskState.Pending],
        ["processing"] = [TaskState.Processing],
        ["completed"] = [TaskState.Completed],
        ["failed"] = [TaskState.Failed, TaskState.Cancelled],
        ["cancelled"] = [TaskState.Cancelled],
    };

    public static IReadOnlyList<string> StateNames => [.. States.Keys];

    public static async Task<IResult> ListAsync(HttpContext http, TaskService tasks, PublicUrls urls, TimeProvider time)
    {
        var query = http.Request.Query;
        var limit = TaskListQuery.DefaultLimit;
        if (query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > TaskListQuery.MaxLimit))
        {
            return UnifiedErrors.InvalidRequest($"limit must be an integer from 1 to {TaskListQuery.MaxLimit}", "limit");
        }
        TaskState[] states = [];
        if (query.TryGetValue("state", out var stateText) && !States.TryGetValue(stateText.ToString(), out states!))
        {
            return UnifiedErrors.InvalidRequest($"state must be one of: {string.Join(", ", States.Keys)}", "state");
        }
        TaskRecord? before = null;
        if (query.TryGetValue("before", out var beforeText))
        {
            // Unknown and foreign ids get the same answer: a list must not reveal another account's task.
            before = await tasks.FindAsync(http.Account(), beforeText.ToString(), http.RequestAborted);
            if (before is null)
            {
                return UnifiedErrors.InvalidRequest($"before must be the id of one of your tasks; {beforeText} is not", "before");
            }
        }

        // One more than asked, to know whether another page follows without a second query.
        var page = await tasks.ListAsync(http.Account(), new TaskListQuery(states, before, limit + 1), http.RequestAborted);
        var baseUrl = urls.BaseUrl(http.Request);
        var views = new List<UnifiedTaskView>(Math.Min(page.Count, limit));
        foreach (var task in page.Take(limit))
        {
            var remaining = await tasks.RemainingSecondsAsync(task, time, http.RequestAborted);
            views.Add(UnifiedTaskView.From(task, remaining, baseUrl, PublicUrls.FileUrl));
        }
        return TypedResults.Json(new UnifiedTaskListView("list", views, page.Count > limit), UnifiedJson.Options);
    }
}

internal sealed record UnifiedTaskListView(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] IReadOnlyList<UnifiedTaskView> Data,
    [property: JsonPropertyName("has_more")] bool HasMore);
