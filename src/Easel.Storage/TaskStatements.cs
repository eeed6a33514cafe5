using Easel.Core.Tasks;

namespace Easel.Storage;

/// <summary>
/// What the SQLite and PostgreSQL task stores say alike: the state literals, the statements whose text is the same in
/// both, and when a terminal state is stamped. Each store keeps what differs (instants as milliseconds or timestamptz,
/// locking, wake-ups).
/// </summary>
internal static class TaskStatements
{
    // States are written into the SQL as literals, not parameters: only then can the planner match a query to the
    // partial indexes on state (pending, processing, active, recent completed).
    public const int Pending = (int)TaskState.Pending;
    public const int Processing = (int)TaskState.Processing;
    public const int Completed = (int)TaskState.Completed;
    public const int Failed = (int)TaskState.Failed;
    public const int Cancelled = (int)TaskState.Cancelled;

    /// <summary>Every task this node was running back to pending (at start, after a crash).</summary>
    public static readonly string ReleaseNodeLeases =
        $"UPDATE tasks SET state = {Pending}, lease_node = NULL, lease_token = NULL, lease_expires_at = NULL WHERE state = {Processing} AND lease_node = @nodeId";

    /// <summary>One task back to pending under its own lease (a graceful stop), so it can never undo another run.</summary>
    public static readonly string ReleaseLease =
        $"UPDATE tasks SET state = {Pending}, lease_node = NULL, lease_token = NULL, lease_expires_at = NULL WHERE id = @TaskId AND state = {Processing} AND lease_token = @Token";

    /// <summary>The queue gauges: walks the partial index of pending tasks, so it costs in proportion to the queue.</summary>
    public static readonly string PendingCountAndOldest = $"SELECT COUNT(*) AS count, MIN(created_at) AS oldest FROM tasks WHERE state = {Pending}";

    /// <summary>
    /// One page of an account's tasks, newest first, served by the index tasks_account(account_id, created_at); id
    /// breaks ties. Parameters: @accountId, @limit, and with a cursor @beforeAt and @beforeId.
    /// </summary>
    public static string List(string columns, TaskListQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return $"SELECT {columns} FROM tasks WHERE account_id = @accountId"
            + (query.States.Count > 0 ? $" AND state IN ({string.Join(", ", query.States.Select(s => (int)s))})" : "")
            + (query.Before is null ? "" : " AND (created_at < @beforeAt OR (created_at = @beforeAt AND id < @beforeId))")
            + " ORDER BY created_at DESC, id DESC LIMIT @limit";
    }

    /// <summary>
    /// When a terminal state is stamped: inside its transaction, not when its request was made. A state exists from
    /// its commit; time spent waiting for SQLite's writer or a row lock is not the task's (nor its callback's).
    /// </summary>
    public static DateTimeOffset Stamp(TimeProvider time, DateTimeOffset requested)
    {
        var inTransaction = time.GetUtcNow();
        return inTransaction > requested ? inTransaction : requested;
    }
}
