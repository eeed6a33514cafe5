using Easel.Core.Operations;

namespace Easel.Core.Tasks;

/// <summary>
/// The durable task store. Every state change is one compare-and-set statement on the stored state, so a
/// transition happens once whatever crashes, retries or races surround it.
/// </summary>
public interface ITaskStore
{
    Task InsertAsync(TaskRecord task, CancellationToken cancellationToken);

    /// <summary>The task if it belongs to the account; null otherwise (the caller must not learn it exists).</summary>
    Task<TaskRecord?> FindAsync(string taskId, string accountId, CancellationToken cancellationToken);

    Task<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Claims the next pending task (turbo first, then oldest), or one whose lease has expired.</summary>
    Task<ClaimedTask?> ClaimNextAsync(string nodeId, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>Extends the lease; false when the task is no longer ours to run (cancelled, or claimed again).</summary>
    Task<bool> RenewLeaseAsync(TaskLease lease, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>Raises progress; never lowers it (a retried attempt starts again from its own zero).</summary>
    Task<bool> ReportProgressAsync(TaskLease lease, int progress, CancellationToken cancellationToken);

    Task<bool> CompleteAsync(TaskLease lease, IReadOnlyList<string> resultKeys, DateTimeOffset now, CancellationToken cancellationToken);

    Task<bool> FailAsync(TaskLease lease, TaskFailure failure, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Moves a pending or processing task of the account to cancelled. Returns the task as it now is.</summary>
    Task<TaskRecord?> CancelAsync(string taskId, string accountId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>At start: tasks this node was running when it died go back to pending at once.</summary>
    Task<int> ReleaseLeasesAsync(string nodeId, CancellationToken cancellationToken);

    /// <summary>Mean seconds from start to completion of the latest completed tasks of this operation.</summary>
    Task<double?> RecentDurationSecondsAsync(OperationKind kind, int sampleSize, CancellationToken cancellationToken);
}
