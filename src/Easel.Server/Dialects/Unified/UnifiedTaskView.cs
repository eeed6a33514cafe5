using Easel.Core.Models;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Easel.Core.Pricing;
using Easel.Core.Tasks;

namespace Easel.Server.Dialects.Unified;

/// <summary>The unified task object, answered by create, query and cancel alike (fields in the seed's order).</summary>
internal sealed record UnifiedTaskView(
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("progress"), Range(0, 100)] int Progress,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("task_info")] UnifiedTaskInfo TaskInfo,
    [property: JsonPropertyName("usage")] UnifiedUsage Usage,
    [property: JsonPropertyName("results")] IReadOnlyList<string>? Results,
    [property: JsonPropertyName("error")] UnifiedTaskError? Error,
    [property: JsonPropertyName("engine")] string? Engine)
{
    public const string ObjectType = "image.generation.task";
    public const string ImageType = "image";
    public const string CancelledCode = "request_cancelled";

    /// <summary>The seed's values of `type` (the hosted service's other task kinds); Easel's tasks are all images.</summary>
    public static readonly IReadOnlyList<string> SeedTypes = ["text", ImageType, "audio", "video"];

    public static UnifiedTaskView From(TaskRecord task, int estimatedSeconds, string baseUrl, Func<string, string, string> fileUrl)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(fileUrl);
        return new UnifiedTaskView(
            task.CreatedAt.ToUnixTimeSeconds(),
            task.Id,
            ModelCatalog.Of(task.Operation.Kind).UnifiedName,
            ObjectType,
            task.Progress,
            StatusOf(task.State),
            ImageType,
            new UnifiedTaskInfo(task.CanCancel, task.IsTerminal ? 0 : estimatedSeconds),
            new UnifiedUsage(UnifiedUsage.PerCall, Credits.ToCredits(task.PriceMicros), task.PriceGroup),
            task.State == TaskState.Completed && task.FilesDeletedAt is null ? task.ResultKeys.Select(k => fileUrl(baseUrl, k)).ToArray() : null,
            ErrorOf(task),
            task.Engine);
    }

    // The unified dialect has no "cancelled": a cancelled task reads failed with request_cancelled.
    public static string StatusOf(TaskState state) => state switch
    {
        TaskState.Pending => "pending",
        TaskState.Processing => "processing",
        TaskState.Completed => "completed",
        _ => "failed",
    };

    private static UnifiedTaskError? ErrorOf(TaskRecord task) => task.State switch
    {
        TaskState.Cancelled => new UnifiedTaskError(CancelledCode, "The task was cancelled"),
        TaskState.Failed => new UnifiedTaskError(CodeOf(task.Failure!.Kind), task.Failure.Message),
        _ => null,
    };

    public static string CodeOf(FailureKind kind) => kind switch
    {
        FailureKind.ImageProcessing => "image_processing_error",
        FailureKind.InvalidParameters => "invalid_parameters",
        FailureKind.ImageDimensionMismatch => "image_dimension_mismatch",
        FailureKind.ContentPolicy or FailureKind.ContentPolicyBeforeGeneration => "content_policy_violation",
        FailureKind.GenerationFailed => "generation_failed_no_content",
        FailureKind.ServiceError => "service_error",
        FailureKind.ServiceUnavailable => "service_unavailable",
        FailureKind.Timeout => "generation_timeout",
        FailureKind.ResourceNotFound => "resource_not_found",
        _ => "unknown_error",
    };
}

internal sealed record UnifiedTaskInfo(
    [property: JsonPropertyName("can_cancel")] bool CanCancel,
    [property: JsonPropertyName("estimated_time")] int EstimatedTime);

internal sealed record UnifiedUsage(
    [property: JsonPropertyName("billing_rule")] string BillingRule,
    [property: JsonPropertyName("credits_reserved")] decimal CreditsReserved,
    [property: JsonPropertyName("user_group")] string UserGroup)
{
    public const string PerCall = "per_call";

    /// <summary>The seed's billing rules; Easel prices every task per call.</summary>
    public static readonly IReadOnlyList<string> SeedBillingRules = [PerCall, "per_token", "per_second"];
}

internal sealed record UnifiedTaskError(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message);
