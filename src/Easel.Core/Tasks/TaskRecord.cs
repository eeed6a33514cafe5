using Easel.Core.Operations;

namespace Easel.Core.Tasks;

public enum TaskState { Pending, Processing, Completed, Failed, Cancelled }

/// <summary>The dialect a task was created through: its callbacks speak it, its id says it.</summary>
public enum Dialect { Unified, Classic }

/// <summary>Why a task failed, independent of how a dialect spells it.</summary>
public enum FailureKind
{
    ImageProcessing,
    InvalidParameters,
    ImageDimensionMismatch,
    ContentPolicy,
    GenerationFailed,
    ServiceError,
    ServiceUnavailable,
    Timeout,
    ResourceNotFound,
    Unknown,

    /// <summary>
    /// An upstream's moderation refused the request before generating anything: content_policy_violation on the wire
    /// like <see cref="ContentPolicy"/>, but refunded (API.md section 8: only a refusal after generation is charged).
    /// </summary>
    ContentPolicyBeforeGeneration,
}

public sealed record TaskFailure(FailureKind Kind, string Message);

/// <summary>A task as stored. Only <see cref="ITaskStore"/> transitions change it, each by compare-and-set.</summary>
public sealed record TaskRecord(
    string Id,
    string AccountId,
    Dialect Dialect,
    Operation Operation,
    TaskState State,
    int Progress,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    long PriceMicros,
    TaskFailure? Failure,
    IReadOnlyList<string> ResultKeys,
    string? CallbackUrl,
    int Attempts,
    string PriceGroup = Accounts.Account.DefaultGroup)
{
    /// <summary>The base of the task's result URLs, as the creating request saw it.</summary>
    public string? BaseUrl { get; init; }

    /// <summary>The X-Request-Id of the request that created the task, for operators to find its log line. Never on the wire.</summary>
    public string? RequestId { get; init; }

    /// <summary>
    /// The W3C traceparent of the request that created the task, when it was traced: the worker's spans and the
    /// callbacks' continue its trace (see <see cref="Observability.EaselTracing"/>). Never on the wire.
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>The engine that ran (or runs) the task: an Easel extension field of GET /v1/tasks/{id} (API.md section 10).</summary>
    public string? Engine { get; init; }

    /// <summary>
    /// When the task's files (results, and the inputs no other task holds) were deleted by retention or by the client;
    /// its results are then empty and absent from both dialects' views, while the task and its ledger stay.
    /// </summary>
    public DateTimeOffset? FilesDeletedAt { get; init; }

    /// <summary>
    /// At create only: the stored blobs the task reads (uploads and result files named by URL, and its source task's
    /// image). The store records them with the task, so a blob is never deleted while a task holding it keeps its files.
    /// </summary>
    public IReadOnlyList<string> InputBlobKeys { get; init; } = [];

    public bool IsTerminal => State is TaskState.Completed or TaskState.Failed or TaskState.Cancelled;

    public bool CanCancel => State is TaskState.Pending or TaskState.Processing;
}

/// <summary>A claim on a processing task: only the holder of this exact lease may move it on.</summary>
public sealed record TaskLease(string TaskId, string NodeId, string Token);

public sealed record ClaimedTask(TaskRecord Task, TaskLease Lease);

/// <summary>The tasks waiting for a worker: how many, and since when the oldest has waited.</summary>
public sealed record PendingSummary(long Count, DateTimeOffset? OldestCreatedAt);
