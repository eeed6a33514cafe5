using Easel.Core.Tasks;

namespace Easel.Core.Engines.Upstream;

/// <summary>
/// What a task records of its engine and its upstream job, on the task itself: written under the task's lease, so
/// only the node running the task can change it. The submission key is written before the request is sent, and the
/// upstream's id as soon as it answers: after a crash, what is recorded says what may be done (API.md section 10).
/// </summary>
public interface IUpstreamJobStore
{
    /// <summary>Records the engine a task runs on (the local engine's runs too, for GET /v1/tasks/{id}).</summary>
    Task<bool> AssignEngineAsync(TaskLease lease, string engine, CancellationToken cancellationToken);

    /// <summary>
    /// Before a submission is sent: its engine, key and wake-up token (a new job: no upstream id), and the lease
    /// renewed, in one statement under the lease. False when the task is no longer this lease's.
    /// </summary>
    Task<bool> BeginSubmissionAsync(TaskLease lease, UpstreamSubmission submission, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>The upstream accepted: its job id (and cost, when it says one), and when to poll it first.</summary>
    Task<bool> RecordAcceptedAsync(TaskLease lease, string upstreamId, UpstreamCost? cost, DateTimeOffset firstPollAt, CancellationToken cancellationToken);

    Task<UpstreamJob?> GetAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>This node's waiting tasks (processing, leased here, accepted upstream) whose next poll is due, soonest first.</summary>
    Task<IReadOnlyList<WaitingJob>> DueAsync(string nodeId, DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>The next due poll among this node's waiting tasks, or null when it has none.</summary>
    Task<DateTimeOffset?> NextDueAsync(string nodeId, CancellationToken cancellationToken);

    /// <summary>Extends the leases of all this node's waiting tasks in one statement; returns how many it holds.</summary>
    Task<int> RenewWaitingLeasesAsync(string nodeId, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>
    /// After a poll that did not finish the job: the next poll, the poll count, progress raised (never lowered). When the
    /// job has been woken since it was read (its <see cref="UpstreamJob.Wakes"/> is no longer <paramref name="wakesSeen"/>),
    /// the wake-up's poll is kept: the poll may have read the job before what woke it. A count, not a clock: a wake-up's
    /// instant is taken before its write commits, so it can precede a poll that still missed it.
    /// </summary>
    Task<bool> ScheduleAsync(TaskLease lease, DateTimeOffset nextPollAt, int progress, long wakesSeen, CancellationToken cancellationToken);

    /// <summary>Records the upstream's cost of a job (the figure its final answer carries).</summary>
    Task<bool> RecordCostAsync(TaskLease lease, UpstreamCost cost, CancellationToken cancellationToken);

    /// <summary>A wake-up: the task's next poll is now, whichever node holds it, and its wake count raised. False when it waits on nothing.</summary>
    Task<bool> WakeAsync(string taskId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Records the terminal webhook delivery of an engine whose results come by webhook (cog): its raw body, or the
    /// reason Easel refused it unread (over the size limit); and moves the task's next poll to now. Any node may record
    /// it (no lease), in one transaction: only while the task is pending or processing under that submission key and
    /// has no delivery for it yet, so a second delivery, or one for a finished or failed-over task, changes nothing.
    /// </summary>
    Task<bool> RecordDeliveryAsync(string taskId, string submissionKey, WebhookDelivery delivery, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The recorded delivery of the task's submission under that key, or null when none has come.</summary>
    Task<WebhookDelivery?> GetDeliveryAsync(string taskId, string submissionKey, CancellationToken cancellationToken);

    /// <summary>Deletes a task's recorded delivery once the task has ended on it.</summary>
    Task ForgetDeliveryAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>This node's waiting tasks per engine (the in-flight gauge and the room of each engine).</summary>
    Task<IReadOnlyDictionary<string, int>> WaitingByEngineAsync(string nodeId, CancellationToken cancellationToken);
}

/// <summary>A submission as written down before it is sent.</summary>
public sealed record UpstreamSubmission(string Engine, string SubmissionKey, string WakeToken);

/// <summary>The upstream's own price of a job, in its unit ("credits" for the unified dialect, "usd" for the classic).</summary>
public sealed record UpstreamCost(decimal Amount, string Unit);

/// <summary>
/// A terminal webhook delivery as recorded: its raw body, or, when Easel refused the body unread (over the size
/// limit), the reason. Exactly one of the two is set.
/// </summary>
public sealed record WebhookDelivery(byte[]? Body, string? Refusal)
{
    public static WebhookDelivery Of(byte[] body) => new(body, null);

    public static WebhookDelivery Refused(string reason) => new(null, reason);
}

/// <summary>A task's upstream job as recorded; <see cref="Wakes"/> counts the wake-ups and deliveries it has had.</summary>
public sealed record UpstreamJob(
    string TaskId, string Engine, string SubmissionKey, string WakeToken, string? UpstreamId,
    DateTimeOffset? SubmittedAt, DateTimeOffset? NextPollAt, int Polls, long Wakes, UpstreamCost? Cost);

/// <summary>A waiting task as the poller sees it: the lease it is held under, its job, its operation and progress so far.</summary>
public sealed record WaitingJob(TaskLease Lease, UpstreamJob Job, Operations.OperationKind Kind, int Progress);
