using System.Text.Json;
using Dapper;
using Easel.Core.Operations;
using Easel.Core.Tasks;

namespace Easel.Storage.Sqlite;

/// <summary>
/// Tasks in SQLite. Each transition is one UPDATE whose WHERE names the state (and lease) it expects, so it
/// happens once; a row count of zero means another actor got there first.
/// </summary>
public sealed class SqliteTaskStore(SqliteDatabase db) : ITaskStore
{
    private const string Columns =
        "id, account_id, dialect, kind, operation, state, progress, created_at, started_at, finished_at, price_micros, " +
        "failure_kind, failure_message, result_keys, callback_url, attempts";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    public Task InsertAsync(TaskRecord task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        return db.WriteAsync((c, tx) => c.ExecuteAsync(
            """
            INSERT INTO tasks (id, account_id, dialect, kind, operation, state, progress, priority, created_at, price_micros, callback_url)
            VALUES (@Id, @AccountId, @Dialect, @Kind, @Operation, @State, 0, @Priority, @CreatedAt, @PriceMicros, @CallbackUrl)
            """,
            new
            {
                task.Id,
                task.AccountId,
                Dialect = (int)task.Dialect,
                Kind = (int)task.Operation.Kind,
                Operation = JsonSerializer.Serialize(task.Operation, Json),
                State = (int)TaskState.Pending,
                Priority = task.Operation.Speed == Speed.Turbo ? 1 : 0,
                CreatedAt = task.CreatedAt.ToUnixTimeMilliseconds(),
                task.PriceMicros,
                task.CallbackUrl,
            }, tx), cancellationToken);
    }

    public Task<TaskRecord?> FindAsync(string taskId, string accountId, CancellationToken cancellationToken) =>
        db.ReadAsync(async c => Map(await c.QuerySingleOrDefaultAsync<TaskRow>(
            $"SELECT {Columns} FROM tasks WHERE id = @taskId AND account_id = @accountId", new { taskId, accountId })), cancellationToken);

    public Task<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken) =>
        db.ReadAsync(async c => Map(await c.QuerySingleOrDefaultAsync<TaskRow>(
            $"SELECT {Columns} FROM tasks WHERE id = @taskId", new { taskId })), cancellationToken);

    public Task<ClaimedTask?> ClaimNextAsync(string nodeId, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken) =>
        db.WriteAsync(async (c, tx) =>
        {
            var token = Guid.NewGuid().ToString("N");
            var args = new
            {
                nodeId,
                token,
                now = now.ToUnixTimeMilliseconds(),
                expires = (now + leaseDuration).ToUnixTimeMilliseconds(),
                pending = (int)TaskState.Pending,
                processing = (int)TaskState.Processing,
            };
            // Pending first (turbo, then oldest); then a processing task whose node stopped renewing its lease.
            var row = await c.QuerySingleOrDefaultAsync<TaskRow>(
                $"""
                UPDATE tasks SET state = @processing, lease_node = @nodeId, lease_token = @token, lease_expires_at = @expires,
                       attempts = attempts + 1, started_at = COALESCE(started_at, @now)
                WHERE id = (SELECT id FROM tasks WHERE state = @pending ORDER BY priority DESC, created_at LIMIT 1)
                RETURNING {Columns}
                """, args, tx)
                ?? await c.QuerySingleOrDefaultAsync<TaskRow>(
                $"""
                UPDATE tasks SET lease_node = @nodeId, lease_token = @token, lease_expires_at = @expires, attempts = attempts + 1
                WHERE id = (SELECT id FROM tasks WHERE state = @processing AND lease_expires_at < @now ORDER BY lease_expires_at LIMIT 1)
                RETURNING {Columns}
                """, args, tx);
            return row is null ? null : new ClaimedTask(Map(row)!, new TaskLease(row.Id, nodeId, token));
        }, cancellationToken);

    public async Task<bool> RenewLeaseAsync(TaskLease lease, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return await db.WriteAsync((c, tx) => c.ExecuteAsync(
            "UPDATE tasks SET lease_expires_at = @expires WHERE id = @TaskId AND state = @processing AND lease_token = @Token",
            new { lease.TaskId, lease.Token, expires = (now + leaseDuration).ToUnixTimeMilliseconds(), processing = (int)TaskState.Processing }, tx),
            cancellationToken) == 1;
    }

    public async Task<bool> ReportProgressAsync(TaskLease lease, int progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return await db.WriteAsync((c, tx) => c.ExecuteAsync(
            "UPDATE tasks SET progress = @progress WHERE id = @TaskId AND state = @processing AND lease_token = @Token AND progress < @progress",
            new { lease.TaskId, lease.Token, progress, processing = (int)TaskState.Processing }, tx), cancellationToken) == 1;
    }

    public async Task<bool> CompleteAsync(TaskLease lease, IReadOnlyList<string> resultKeys, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return await db.WriteAsync((c, tx) => c.ExecuteAsync(
            """
            UPDATE tasks SET state = @completed, progress = 100, result_keys = @keys, finished_at = @now,
                   lease_node = NULL, lease_token = NULL, lease_expires_at = NULL
            WHERE id = @TaskId AND state = @processing AND lease_token = @Token
            """,
            new
            {
                lease.TaskId,
                lease.Token,
                keys = JsonSerializer.Serialize(resultKeys, Json),
                now = now.ToUnixTimeMilliseconds(),
                completed = (int)TaskState.Completed,
                processing = (int)TaskState.Processing,
            }, tx), cancellationToken) == 1;
    }

    public async Task<bool> FailAsync(TaskLease lease, TaskFailure failure, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(failure);
        return await db.WriteAsync((c, tx) => c.ExecuteAsync(
            """
            UPDATE tasks SET state = @failed, failure_kind = @kind, failure_message = @message, finished_at = @now,
                   lease_node = NULL, lease_token = NULL, lease_expires_at = NULL
            WHERE id = @TaskId AND state = @processing AND lease_token = @Token
            """,
            new
            {
                lease.TaskId,
                lease.Token,
                kind = (int)failure.Kind,
                message = failure.Message,
                now = now.ToUnixTimeMilliseconds(),
                failed = (int)TaskState.Failed,
                processing = (int)TaskState.Processing,
            }, tx), cancellationToken) == 1;
    }

    public Task<TaskRecord?> CancelAsync(string taskId, string accountId, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.WriteAsync(async (c, tx) => Map(await c.QuerySingleOrDefaultAsync<TaskRow>(
            $"""
            UPDATE tasks SET state = @cancelled, finished_at = @now, lease_node = NULL, lease_token = NULL, lease_expires_at = NULL
            WHERE id = @taskId AND account_id = @accountId AND state IN (@pending, @processing)
            RETURNING {Columns}
            """,
            new
            {
                taskId,
                accountId,
                now = now.ToUnixTimeMilliseconds(),
                cancelled = (int)TaskState.Cancelled,
                pending = (int)TaskState.Pending,
                processing = (int)TaskState.Processing,
            }, tx)
            ?? await c.QuerySingleOrDefaultAsync<TaskRow>(
                $"SELECT {Columns} FROM tasks WHERE id = @taskId AND account_id = @accountId", new { taskId, accountId }, tx)),
            cancellationToken);

    public Task<int> ReleaseLeasesAsync(string nodeId, CancellationToken cancellationToken) =>
        db.WriteAsync((c, tx) => c.ExecuteAsync(
            "UPDATE tasks SET state = @pending, lease_node = NULL, lease_token = NULL, lease_expires_at = NULL WHERE state = @processing AND lease_node = @nodeId",
            new { nodeId, pending = (int)TaskState.Pending, processing = (int)TaskState.Processing }, tx), cancellationToken);

    public Task<double?> RecentDurationSecondsAsync(OperationKind kind, int sampleSize, CancellationToken cancellationToken) =>
        db.ReadAsync(c => c.ExecuteScalarAsync<double?>(
            """
            SELECT AVG(finished_at - started_at) / 1000.0 FROM (
                SELECT finished_at, started_at FROM tasks
                WHERE state = @completed AND kind = @kind AND started_at IS NOT NULL
                ORDER BY finished_at DESC LIMIT @sampleSize)
            """,
            new { completed = (int)TaskState.Completed, kind = (int)kind, sampleSize }), cancellationToken);

    private static TaskRecord? Map(TaskRow? row) => row is null ? null : new TaskRecord(
        row.Id,
        row.AccountId,
        (Dialect)row.Dialect,
        JsonSerializer.Deserialize<Operation>(row.Operation, Json)!,
        (TaskState)row.State,
        (int)row.Progress,
        DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt),
        row.StartedAt is long s ? DateTimeOffset.FromUnixTimeMilliseconds(s) : null,
        row.FinishedAt is long f ? DateTimeOffset.FromUnixTimeMilliseconds(f) : null,
        row.PriceMicros,
        row.FailureKind is long k ? new TaskFailure((FailureKind)k, row.FailureMessage ?? "") : null,
        row.ResultKeys is null ? [] : JsonSerializer.Deserialize<string[]>(row.ResultKeys, Json)!,
        row.CallbackUrl,
        (int)row.Attempts);

    private sealed class TaskRow
    {
        public string Id { get; set; } = "";
        public string AccountId { get; set; } = "";
        public long Dialect { get; set; }
        public long Kind { get; set; }
        public string Operation { get; set; } = "";
        public long State { get; set; }
        public long Progress { get; set; }
        public long CreatedAt { get; set; }
        public long? StartedAt { get; set; }
        public long? FinishedAt { get; set; }
        public long PriceMicros { get; set; }
        public long? FailureKind { get; set; }
        public string? FailureMessage { get; set; }
        public string? ResultKeys { get; set; }
        public string? CallbackUrl { get; set; }
        public long Attempts { get; set; }
    }
}
