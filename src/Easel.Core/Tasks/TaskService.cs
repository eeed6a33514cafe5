using System.Collections.Concurrent;
using Easel.Core.Accounts;
using Easel.Core.Blobs;
using Easel.Core.Engines;
using Easel.Core.Models;
using Easel.Core.Observability;
using Easel.Core.Operations;
using Easel.Core.Pricing;

namespace Easel.Core.Tasks;

public enum CreateStatus
{
    Created,
    Replayed,
    SourceNotFound,
    SourceNotReady,
    ModelNotAllowed,
    RateLimited,
    TooManyActive,
    InsufficientCredits,
    IdempotencyConflict,
    /// <summary>No engine on this server can serve the model (or its variant); nothing was reserved.</summary>
    ModelNotAvailable,
    /// <summary>A field valid on its own is refused with the source at hand (a result over the canvas limits).</summary>
    InvalidField,
}

public sealed record CreateResult(CreateStatus Status, TaskRecord? Task, string? Message, TimeSpan RetryAfter = default)
{
    /// <summary>The field an <see cref="CreateStatus.InvalidField"/> refusal is about (the dialect spells its code).</summary>
    public FieldError? Field { get; init; }

    /// <summary>What a <see cref="CreateStatus.ModelNotAvailable"/> model needs that no engine here has.</summary>
    public EngineCapability? Missing { get; init; }

    public static CreateResult Created(TaskRecord task) => new(CreateStatus.Created, task, null);

    public bool Accepted => Status is CreateStatus.Created or CreateStatus.Replayed;
}

/// <summary>What a client's delete of a task's files came to.</summary>
public enum FilesDeleteStatus
{
    /// <summary>The files are gone (now, or already before).</summary>
    Deleted,
    /// <summary>No such task of this account.</summary>
    NotFound,
    /// <summary>The task is pending or processing: it is still reading its inputs and has no results yet.</summary>
    NotFinished,
}

/// <summary>An Idempotency-Key header and the hash of the request body it came with.</summary>
public sealed record IdempotencyRequest(string Key, byte[] RequestHash);

/// <summary>Creates, reads and cancels tasks on behalf of a caller. Knows nothing of HTTP or dialect shapes.</summary>
public sealed class TaskService(
    ITaskStore store,
    PriceTable prices,
    EngineDirectory engines,
    IImageSizes sizes,
    IKeyRateLimiter rates,
    LimitsOptions limits,
    WorkSignal signal,
    RunningTasks running,
    Engines.Upstream.IUpstreamJobs upstream,
    EaselMetrics metrics,
    Retention.TaskFiles files,
    FinishedTasks finished,
    TimeProvider time)
{
    private static readonly TimeSpan EstimateCacheFor = TimeSpan.FromSeconds(5);
    private const int DefaultEstimateSeconds = 15;
    private readonly ConcurrentDictionary<OperationKind, (int Seconds, DateTimeOffset At)> _estimates = new();


    /// <summary>
    /// The checks in the order a client would want them: may this key use the model, is it within its rate,
    /// is the source usable; then the store admits the task (idempotency, active cap, reservation) atomically.
    /// </summary>
    public async Task<CreateResult> CreateAsync(Caller caller, Dialect dialect, CreateCommand command, IdempotencyRequest? idempotency, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(command);
        var account = caller.Account;
        if (!caller.Key.Allows(command.Operation.Kind))
        {
            return new CreateResult(CreateStatus.ModelNotAllowed, null, "This key does not have access to this model");
        }
        // Before the rate and the reservation: a model no engine here serves costs the client nothing, not even a token.
        var capability = ModelCatalog.Of(command.Operation.Kind).CapabilityOf(command.Operation);
        if (engines.Serving(capability).Count == 0)
        {
            return new CreateResult(CreateStatus.ModelNotAvailable, null, $"no engine on this server can {Describe(capability)}") { Missing = capability };
        }
        var (allowed, retryAfter) = await rates.TryAcquireAsync(caller.Key, cancellationToken);
        if (!allowed)
        {
            return new CreateResult(CreateStatus.RateLimited, null,
                $"Rate limit of this key exceeded ({caller.Key.RatePerMinute} requests per minute); retry after {Math.Ceiling(retryAfter.TotalSeconds)} s", retryAfter);
        }
        TaskRecord? sourceTask = null;
        if (command.Operation.Source is { } source)
        {
            (var refusal, sourceTask) = await CheckSourceAsync(account, source, command.Operation, cancellationToken);
            if (refusal is not null)
            {
                return refusal;
            }
        }
        var now = time.GetUtcNow();
        var task = new TaskRecord(
            TaskIds.New(dialect, now), account.Id, dialect, command.Operation, TaskState.Pending, Progress: 0,
            now, StartedAt: null, FinishedAt: null, prices.PriceMicros(command.Operation, account.Group), Failure: null,
            ResultKeys: [], command.CallbackUrl, Attempts: 0, account.Group) {
            BaseUrl = command.BaseUrl,
            RequestId = command.RequestId,
            TraceParent = EaselTracing.CurrentTraceParent(),
            InputBlobKeys = Retention.TaskFiles.InputsOf(command.Operation, sourceTask),
        };
        var maxActive = account.MaxActiveTasks ?? limits.MaxActiveTasksPerAccount;
        var admission = new TaskAdmission(maxActive,
            idempotency is null ? null : new IdempotencyClaim(idempotency.Key, idempotency.RequestHash, limits.IdempotencyWindow));
        var inserted = await store.InsertAsync(task, admission, now, cancellationToken);
        switch (inserted.Status)
        {
            case InsertStatus.Inserted:
                signal.Notify();
                metrics.TaskCreated(task);
                return CreateResult.Created(task);
            case InsertStatus.Replayed:
                return new CreateResult(CreateStatus.Replayed, inserted.Task, null);
            case InsertStatus.InsufficientCredits:
                return new CreateResult(CreateStatus.InsufficientCredits, null,
                    $"Insufficient credits: this task costs {Credits.ToCredits(task.PriceMicros)} credits. Please top up your account.");
            case InsertStatus.TooManyActive:
                return new CreateResult(CreateStatus.TooManyActive, null,
                    $"Too many tasks in progress: this account may have {maxActive} tasks pending or processing at once", TimeSpan.FromSeconds(1));
            default:
                return new CreateResult(CreateStatus.IdempotencyConflict, null,
                    "This Idempotency-Key was already used with a different request body");
        }
    }

    // A source must be a completed task of the same account with an image of that number (API.md section 2).
    private async Task<(CreateResult? Refusal, TaskRecord? Source)> CheckSourceAsync(Account account, SourceImage source, Operation operation, CancellationToken cancellationToken)
    {
        var task = await FindAsync(account, source.TaskId, cancellationToken);
        return (await RefusalOfSourceAsync(task, source, operation, cancellationToken), task);
    }

    private async Task<CreateResult?> RefusalOfSourceAsync(TaskRecord? task, SourceImage source, Operation operation, CancellationToken cancellationToken)
    {
        if (task is null)
        {
            return new CreateResult(CreateStatus.SourceNotFound, null, $"task {source.TaskId} was not found");
        }
        if (task.FilesDeletedAt is not null)
        {
            return new CreateResult(CreateStatus.SourceNotReady, null, $"the files of task {source.TaskId} were deleted; its images can no longer be used");
        }
        if (task.State != TaskState.Completed)
        {
            return new CreateResult(CreateStatus.SourceNotReady, null,
                $"task {source.TaskId} is {task.State.ToString().ToLowerInvariant()}; only a completed task's images can be used");
        }
        if (source.ImageNumber >= task.ResultKeys.Count)
        {
            return new CreateResult(CreateStatus.SourceNotReady, null,
                $"task {source.TaskId} has {task.ResultKeys.Count} {(task.ResultKeys.Count == 1 ? "image" : "images")}; image number {source.ImageNumber} does not exist");
        }
        // Routing's affinity, decided before any money moves: an upstream's result chains only on that upstream.
        if (engines.Route(operation, task.Engine).Count == 0)
        {
            var capability = ModelCatalog.Of(operation.Kind).CapabilityOf(operation);
            var reason = engines.Find(task.Engine) is { ChainsByJobId: true } owner
                ? $"task {source.TaskId} was made by engine '{owner.Name}', whose secondary operations need its own task ids, and that engine does not {Describe(capability)}"
                : $"no engine on this server that takes an image as input can {Describe(capability)}";
            return new CreateResult(CreateStatus.ModelNotAvailable, null, reason) { Missing = capability };
        }
        // A result over the canvas limits (API.md section 6) is refused here, before the work and the money it would take.
        if (ResultGeometry.ChangesSize(operation)
            && await sizes.SizeOfAsync(task.ResultKeys[source.ImageNumber], cancellationToken) is var (width, height)
            && ResultGeometry.LimitBroken(ResultGeometry.SizeOf(operation, width, height)) is { } broken)
        {
            var field = ResultGeometry.FieldOf(operation);
            return new CreateResult(CreateStatus.InvalidField, null, $"image {source.ImageNumber} of task {source.TaskId} is {width}x{height}: {broken}")
            {
                Field = new FieldError(field, FieldProblem.Invalid, $"image {source.ImageNumber} of task {source.TaskId} is {width}x{height}: {broken}"),
            };
        }
        return null;
    }

    private static string Describe(EngineCapability capability) => capability switch
    {
        EngineCapability.CreativeUpscale => "upscale creatively (invent new detail)",
        EngineCapability.RemoveBackground => "remove backgrounds",
        EngineCapability.UploadPaint => "upload-paint",
        _ => capability.ToString().ToLowerInvariant(),
    };

    public async Task<TaskRecord?> FindAsync(Account account, string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (finished.TryGet(taskId, out var cached))
        {
            return cached.AccountId == account.Id ? cached : null;
        }
        var task = await store.FindAsync(taskId, account.Id, cancellationToken);
        if (task is not null)
        {
            finished.Remember(task);
        }
        return task;
    }

    /// <summary>
    /// A client's delete of its own finished task's files (an Easel extension): the task as it now is, its results gone;
    /// idempotent. Null status detail: <see cref="FilesDeleteStatus"/> says why nothing was done.
    /// </summary>
    public async Task<(FilesDeleteStatus Status, TaskRecord? Task)> DeleteFilesAsync(Account account, string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        // From the store, not the cache: the answer must show the files as they are now.
        var task = await store.FindAsync(taskId, account.Id, cancellationToken);
        if (task is null)
        {
            return (FilesDeleteStatus.NotFound, null);
        }
        if (!task.IsTerminal)
        {
            return (FilesDeleteStatus.NotFinished, task);
        }
        if (task.FilesDeletedAt is null)
        {
            await files.DeleteOfTaskAsync(task, cancellationToken);
            task = await store.FindAsync(taskId, account.Id, CancellationToken.None) ?? task;
        }
        return (FilesDeleteStatus.Deleted, task);
    }

    /// <summary>A page of the account's own tasks; the cursor must be one of them (the caller checks it with <see cref="FindAsync"/>).</summary>
    public Task<IReadOnlyList<TaskRecord>> ListAsync(Account account, TaskListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(query);
        if (query.Before is { } before && before.AccountId != account.Id)
        {
            throw new ArgumentException("The cursor of a task list must be a task of the same account", nameof(query));
        }
        return store.ListAsync(account.Id, query, cancellationToken);
    }

    /// <summary>Cancels a pending or processing task; a finished one is returned as it is.</summary>
    public async Task<TaskRecord?> CancelAsync(Account account, string taskId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        var now = time.GetUtcNow();
        var (task, cancelledNow) = await store.CancelAsync(taskId, account.Id, now, cancellationToken);
        if (task?.State == TaskState.Cancelled)
        {
            running.Cancel(taskId);
            if (cancelledNow)
            {
                // Counted once, by the call that made the transition, however many cancels race for it.
                metrics.TaskFinished(task, TaskState.Cancelled);
                if (engines.Find(task.Engine) is { IsUpstream: true })
                {
                    // The refund is done (in the cancel's transaction); the upstream is told without the client waiting for it.
                    upstream.CancelUpstreamInBackground(task);
                }
            }
        }
        return task;
    }

    /// <summary>Seconds a task of this operation is expected to take, from the latest completed ones.</summary>
    public async Task<int> EstimatedSecondsAsync(OperationKind kind, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_estimates.TryGetValue(kind, out var cached) && now - cached.At < EstimateCacheFor)
        {
            return cached.Seconds;
        }
        var mean = await store.RecentDurationSecondsAsync(kind, sampleSize: 20, cancellationToken);
        if (mean is not double m)
        {
            // No history yet: not cached, so the first completion is used at once.
            return DefaultEstimateSeconds;
        }
        var seconds = Math.Max(1, (int)Math.Ceiling(m));
        _estimates[kind] = (seconds, now);
        return seconds;
    }
}
