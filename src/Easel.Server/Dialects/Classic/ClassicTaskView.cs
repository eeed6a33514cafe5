using Easel.Core.Models;
using System.Text.Json.Serialization;
using Easel.Core.Pricing;
using Easel.Core.Tasks;

namespace Easel.Server.Dialects.Classic;

/// <summary>The classic task object of the seeds' polling examples.</summary>
internal sealed record ClassicTaskView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("progress"), JsonConverter(typeof(FractionConverter)), System.ComponentModel.DataAnnotations.Range(0.0, 1.0)] double Progress,
    [property: JsonPropertyName("created_at")] long CreatedAt,
    [property: JsonPropertyName("output")] IReadOnlyList<ClassicOutput>? Output,
    [property: JsonPropertyName("usage")] ClassicUsage? Usage,
    [property: JsonPropertyName("metadata")] ClassicMetadata Metadata,
    [property: JsonPropertyName("error")] ClassicError? Error)
{
    public static ClassicTaskView From(TaskRecord task, PriceTable prices, string baseUrl, Func<string, string, string> fileUrl)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(fileUrl);
        var completed = task.State == TaskState.Completed;
        // Files deleted (retention, or the client): the task stays, its image URLs are gone.
        var hasFiles = completed && task.FilesDeletedAt is null;
        return new ClassicTaskView(
            task.Id,
            ModelCatalog.Of(task.Operation.Kind).ClassicName,
            StatusOf(task.State),
            task.Progress / 100.0,
            task.CreatedAt.ToUnixTimeSeconds(),
            hasFiles
                ? [new ClassicOutput(task.ResultKeys.Select(k => new ClassicContent("image", fileUrl(baseUrl, k), task.Id)).ToArray())]
                : null,
            completed ? new ClassicUsage(prices.CostUsd(task.PriceMicros), 0) : null,
            new ClassicMetadata(task.ResultKeys.Count),
            task.State == TaskState.Failed ? ErrorOf(task) : null);
    }

    public static string StatusOf(TaskState state) => state switch
    {
        TaskState.Pending => "pending",
        TaskState.Processing => "in_progress",
        TaskState.Completed => "completed",
        TaskState.Failed => "failed",
        _ => "cancelled",
    };

    private static ClassicError ErrorOf(TaskRecord task)
    {
        return new ClassicError(ClassicErrorCodes.Failed(task.Operation.Kind, task.Failure!.Kind == FailureKind.ServiceUnavailable), task.Failure.Message);
    }
}

internal sealed record ClassicOutput([property: JsonPropertyName("content")] IReadOnlyList<ClassicContent> Content);

internal sealed record ClassicContent(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("jobId")] string JobId);

internal sealed record ClassicUsage(
    [property: JsonPropertyName("cost")] string Cost,
    [property: JsonPropertyName("discount")] decimal Discount);

internal sealed record ClassicMetadata([property: JsonPropertyName("imageCount")] int ImageCount);
