using System.Text.Json.Serialization;

namespace Easel.Cli.Tasks;

// The unified task object and its list, as the command line reads them (a client's copy of the public contract).

internal sealed record TaskWire(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("progress")] int Progress,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("task_info")] TaskInfoWire? TaskInfo,
    [property: JsonPropertyName("usage")] TaskUsageWire? Usage,
    [property: JsonPropertyName("results")] IReadOnlyList<string>? Results,
    [property: JsonPropertyName("error")] TaskErrorWire? Error)
{
    /// <summary>The unified dialect has two ends: completed, and failed (a cancelled task reads failed with request_cancelled).</summary>
    public bool IsFinished => Status is "completed" or "failed";

    public bool IsCancelled => Status == "failed" && Error?.Code == "request_cancelled";
}

internal sealed record TaskInfoWire(
    [property: JsonPropertyName("can_cancel")] bool CanCancel,
    [property: JsonPropertyName("estimated_time")] int EstimatedTime);

internal sealed record TaskUsageWire(
    [property: JsonPropertyName("credits_reserved")] decimal CreditsReserved,
    [property: JsonPropertyName("user_group")] string? UserGroup);

internal sealed record TaskErrorWire(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message);

internal sealed record TaskListWire(
    [property: JsonPropertyName("data")] IReadOnlyList<TaskWire> Data,
    [property: JsonPropertyName("has_more")] bool HasMore);

internal sealed record UploadedFileWire(
    [property: JsonPropertyName("url")] string Url);

/// <summary>A `progress` event of GET /v1/tasks/{id}/events.</summary>
internal sealed record TaskProgressWire(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("progress")] int Progress);
