using Easel.Core.Operations;

namespace Easel.Core.Tasks;

/// <summary>
/// The durable task store. Every state change is one compare-and-set statement on the stored state, so a
/// transition happens once whatever crashes, retries or races surround it.
/// </summary>
public interface ITaskStore
{
    /// <summary>
    /// In one transaction: the idempotency key, the account's active-task cap, the reservation of the price
    /// (one conditional UPDATE of the balance), the task and its reserve ledger row. All or nothing.
    /// </summary>
    Task<InsertResult> InsertAsync(TaskRecord task, TaskAdmission admission, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The task if it belongs to the account; null otherwise (the caller must not learn it exists).</summary>
    Task<TaskRecord?> FindAsync(string taskId, string accountId, CancellationToken cancellationToken);

    Task<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>The account's tasks as the query asks: newest first, after its cursor, in its states, at most its limit.</summary>
    Task<IReadOnlyList<TaskRecord>> ListAsync(string accountId, TaskListQuery query, CancellationToken cancellationToken);

    /// <summary>Claims the next pending task (turbo first, then oldest), or one whose lease has expired.</summary>
    Task<ClaimedTask?> ClaimNextAsync(string nodeId, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>Extends the lease; false when the task is no longer ours to run (cancelled, or claimed again).</summary>
    Task<bool> RenewLeaseAsync(TaskLease lease, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>Raises progress; never lowers it (a retried attempt starts again from its own zero).</summary>
    Task<bool> ReportProgressAsync(TaskLease lease, int progress, CancellationToken cancellationToken);

    /// <summary>Completes the task and settles its price (charge) in the same transaction.</summary>
    Task<bool> CompleteAsync(TaskLease lease, IReadOnlyList<string> resultKeys, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Fails the task and settles its price (refund, or charge for a late content-policy failure) in the same transaction.</summary>
    Task<bool> FailAsync(TaskLease lease, TaskFailure failure, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a pending or processing task of the account to cancelled and refunds it, in one transaction. Returns the
    /// task as it now is (null: not the account's), and whether this call is the one that cancelled it.
    /// </summary>
    Task<CancelOutcome> CancelAsync(string taskId, string accountId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>At start: tasks this node was running when it died go back to pending at once.</summary>
    Task<int> ReleaseLeasesAsync(string nodeId, CancellationToken cancellationToken);

    /// <summary>Pending tasks: their number and the oldest one's creation time (for the queue gauges; cheap on the pending index).</summary>
    Task<PendingSummary> PendingSummaryAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A graceful stop that could not finish the task: back to pending at once under the same lease (state
    /// processing, same token), keeping its attempt count. False when it is no longer ours (finished, cancelled,
    /// claimed again), so a release can never undo another node's work.
    /// </summary>
    Task<bool> ReleaseLeaseAsync(TaskLease lease, CancellationToken cancellationToken);

    /// <summary>Mean seconds from start to completion of the latest completed tasks of this operation.</summary>
    Task<double?> RecentDurationSecondsAsync(OperationKind kind, int sampleSize, CancellationToken cancellationToken);
}

/// <summary>A cancel's answer: the task as it now is (null when the account has no such task), and whether this call moved it to cancelled.</summary>
public sealed record CancelOutcome(TaskRecord? Task, bool CancelledNow);
