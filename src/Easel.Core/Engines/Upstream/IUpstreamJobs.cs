using Easel.Core.Tasks;

namespace Easel.Core.Engines.Upstream;

/// <summary>
/// The runner's port to the upstream engines (implemented in Easel.Engines/Upstream): submits a claimed task to one,
/// or resumes the job a task already has there, and hands it to the node's poller. The task then waits without a
/// worker slot; the poller completes or fails it.
/// </summary>
public interface IUpstreamJobs
{
    /// <summary>
    /// When the task already has an upstream job on record (a claim after a crash or a node's death): waits on it again,
    /// submits it again under the same key where the protocol makes that safe, or fails it. Null when it has none.
    /// </summary>
    Task<UpstreamStart?> ResumeAsync(ClaimedTask claim, CancellationToken cancellationToken);

    /// <summary>Writes the submission down, sends it, records the upstream's job id, hands the task to the poller.</summary>
    Task<UpstreamStart> SubmitAsync(ClaimedTask claim, EngineDescriptor engine, CancellationToken cancellationToken);

    /// <summary>
    /// Asks the upstream to stop the job of a task Easel has cancelled, without waiting: the refund is Easel's own and
    /// already made. Never throws; a cancel that fails is counted and logged, and the upstream's job runs out.
    /// </summary>
    void CancelUpstreamInBackground(TaskRecord task);
}

public enum UpstreamStartKind
{
    /// <summary>The upstream accepted the job; the poller has it.</summary>
    Waiting,

    /// <summary>The task is failed with <see cref="UpstreamStart.Failure"/> (a refusal of its parameters or content, a lost job).</summary>
    Failed,

    /// <summary>The upstream did not accept it (no connection, 5xx, 429, timeout, our credentials refused): try the next engine.</summary>
    Unavailable,

    /// <summary>The engine has no room on this node (MaxInFlight): try the next engine, or wait.</summary>
    Full,

    /// <summary>The task was cancelled or claimed again meanwhile: nothing is recorded by this run.</summary>
    NotOurs,
}

public sealed record UpstreamStart(UpstreamStartKind Kind, TaskFailure? Failure = null, string? Reason = null)
{
    public static UpstreamStart Waiting { get; } = new(UpstreamStartKind.Waiting);

    public static UpstreamStart Full { get; } = new(UpstreamStartKind.Full, Reason: "it has no room");

    public static UpstreamStart Fail(FailureKind kind, string message) => new(UpstreamStartKind.Failed, new TaskFailure(kind, message));

    public static UpstreamStart Unavailable(string reason) => new(UpstreamStartKind.Unavailable, Reason: reason);
}
