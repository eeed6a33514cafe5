using Dapper;
using Easel.Core.Engines.Upstream;
using Easel.Core.Operations;
using Easel.Core.Tasks;

using static Easel.Storage.TaskStatements;

namespace Easel.Storage;

/// <summary>
/// The engine and upstream-job columns of the tasks table, in SQL both databases run. Every write names the lease it
/// is made under (state processing and the lease token), so only the node running a task changes its job; a task that
/// finished or was cancelled has no lease, which takes it out of the poller's index at once.
/// </summary>
public abstract class UpstreamJobStore : IUpstreamJobStore
{
    private const string JobColumns =
        "id AS task_id, engine, upstream_key, wake_token, upstream_id, submitted_at, next_poll_at, polls, wakes, upstream_cost_micros, upstream_cost_unit";

    private static readonly string Held = $"id = @TaskId AND state = {Processing} AND lease_token = @Token";

    private readonly IStoreDatabase _db;
    private readonly StoreDialect _dialect;

    private protected UpstreamJobStore(IStoreDatabase db, StoreDialect dialect)
    {
        _db = db;
        _dialect = dialect;
    }

    public async Task<bool> AssignEngineAsync(TaskLease lease, string engine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return await _db.StatementAsync((c, tx) => c.ExecuteAsync(
            // A submission to an upstream that failed over to this engine leaves nothing behind: a resume after a crash
            // must not take the task for one waiting upstream.
            $"""
            UPDATE tasks SET engine = @engine, upstream_key = NULL, wake_token = NULL, upstream_id = NULL, submitted_at = NULL, next_poll_at = NULL
            WHERE {Held}
            """, new { lease.TaskId, lease.Token, engine }, tx), cancellationToken) == 1;
    }

    // The at-least-once boundary of an upstream job: this row is committed before the request leaves, so a crash
    // after it leaves is found again by the key (or refused as unknown), never sent blind a second time.
    public async Task<bool> BeginSubmissionAsync(TaskLease lease, UpstreamSubmission submission, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(submission);
        return await _db.StatementAsync((c, tx) => c.ExecuteAsync(
            $"""
            UPDATE tasks SET engine = @Engine, upstream_key = @SubmissionKey, wake_token = @WakeToken, upstream_id = NULL,
                   submitted_at = @now, next_poll_at = NULL, polls = 0, upstream_cost_micros = NULL, upstream_cost_unit = NULL,
                   lease_expires_at = @expires
            WHERE {Held}
            """,
            new
            {
                lease.TaskId, lease.Token, submission.Engine, submission.SubmissionKey, submission.WakeToken,
                now = _dialect.Instant(now), expires = _dialect.Instant(now + leaseDuration),
            }, tx), cancellationToken) == 1;
    }

    public async Task<bool> RecordAcceptedAsync(TaskLease lease, string upstreamId, UpstreamCost? cost, DateTimeOffset firstPollAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return await _db.StatementAsync((c, tx) => c.ExecuteAsync(
            $"""
            UPDATE tasks SET upstream_id = @upstreamId, next_poll_at = @next,
                   upstream_cost_micros = COALESCE(@micros, upstream_cost_micros), upstream_cost_unit = COALESCE(@unit, upstream_cost_unit)
            WHERE {Held} AND upstream_key IS NOT NULL
            """,
            new { lease.TaskId, lease.Token, upstreamId, next = _dialect.Instant(firstPollAt), micros = Micros(cost), unit = cost?.Unit }, tx),
            cancellationToken) == 1;
    }

    public Task<UpstreamJob?> GetAsync(string taskId, CancellationToken cancellationToken) =>
        _db.ReadAsync(async c => Map(await c.QuerySingleOrDefaultAsync<JobRow>(
            $"SELECT {JobColumns} FROM tasks WHERE id = @taskId AND upstream_key IS NOT NULL", new { taskId })), cancellationToken);

    public Task<IReadOnlyList<WaitingJob>> DueAsync(string nodeId, DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        _db.ReadAsync<IReadOnlyList<WaitingJob>>(async c => (await c.QueryAsync<JobRow>(
            $"""
            SELECT {JobColumns}, lease_token, lease_node, kind, progress FROM tasks
            WHERE lease_node = @nodeId AND next_poll_at <= @now AND upstream_id IS NOT NULL AND state = {Processing}
            ORDER BY next_poll_at LIMIT @max
            """,
            new { nodeId, now = _dialect.Instant(now), max })).Select(row => new WaitingJob(
                new TaskLease(row.TaskId, row.LeaseNode!, row.LeaseToken!), Map(row)!, (OperationKind)row.Kind, (int)row.Progress)).ToList(),
            cancellationToken);

    public Task<DateTimeOffset?> NextDueAsync(string nodeId, CancellationToken cancellationToken) =>
        _db.ReadAsync(async c =>
        {
            var next = await c.ExecuteScalarAsync<object?>(
                $"SELECT MIN(next_poll_at) FROM tasks WHERE lease_node = @nodeId AND upstream_id IS NOT NULL AND state = {Processing}", new { nodeId });
            return next is null or DBNull ? (DateTimeOffset?)null : StoreDialect.ReadInstant(next);
        }, cancellationToken);

    public Task<int> RenewWaitingLeasesAsync(string nodeId, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken) =>
        _db.StatementAsync((c, tx) => c.ExecuteAsync(
            $"UPDATE tasks SET lease_expires_at = @expires WHERE lease_node = @nodeId AND upstream_id IS NOT NULL AND state = {Processing}",
            new { nodeId, expires = _dialect.Instant(now + leaseDuration) }, tx), cancellationToken);

    public async Task<bool> ScheduleAsync(TaskLease lease, DateTimeOffset nextPollAt, int progress, long wakesSeen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return await _db.StatementAsync((c, tx) => c.ExecuteAsync(
            $"""
            UPDATE tasks SET next_poll_at = CASE WHEN wakes <> @wakesSeen THEN next_poll_at ELSE @next END, polls = polls + 1,
                progress = CASE WHEN progress < @progress THEN @progress ELSE progress END
            WHERE {Held}
            """,
            new { lease.TaskId, lease.Token, next = _dialect.Instant(nextPollAt), progress, wakesSeen }, tx), cancellationToken) == 1;
    }

    public async Task<bool> RecordCostAsync(TaskLease lease, UpstreamCost cost, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(cost);
        return await _db.StatementAsync((c, tx) => c.ExecuteAsync(
            $"UPDATE tasks SET upstream_cost_micros = @micros, upstream_cost_unit = @Unit WHERE {Held}",
            new { lease.TaskId, lease.Token, micros = Micros(cost), cost.Unit }, tx), cancellationToken) == 1;
    }

    public async Task<bool> WakeAsync(string taskId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await _db.StatementAsync((c, tx) => c.ExecuteAsync(
            $"UPDATE tasks SET next_poll_at = @now, wakes = wakes + 1 WHERE id = @taskId AND upstream_id IS NOT NULL AND state = {Processing} AND lease_node IS NOT NULL",
            new { taskId, now = _dialect.Instant(now) }, tx), cancellationToken) == 1;

    // Not under a lease: the wake-up endpoint of any node records it. The key ties it to this submission (a failover or
    // a new submission leaves an older job's delivery unrecorded), and the first delivery stands. Its own table: a body
    // of up to ~100 MB in the tasks row would be rewritten with every lease renewal of the row.
    public async Task<bool> RecordDeliveryAsync(string taskId, string submissionKey, WebhookDelivery delivery, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return await _db.WriteAsync(async (c, tx) =>
        {
            var woken = await c.ExecuteAsync(
                $"""
                UPDATE tasks SET next_poll_at = @now, wakes = wakes + 1
                WHERE id = @taskId AND upstream_key = @submissionKey AND state IN ({Pending}, {Processing})
                  AND NOT EXISTS (SELECT 1 FROM upstream_deliveries d WHERE d.task_id = @taskId AND d.submission_key = @submissionKey)
                """, new { taskId, submissionKey, now = _dialect.Instant(now) }, tx);
            if (woken != 1)
            {
                return false;
            }
            // An earlier submission's delivery (a failover came back to this engine) gives way to this one.
            await c.ExecuteAsync(
                """
                DELETE FROM upstream_deliveries WHERE task_id = @taskId;
                INSERT INTO upstream_deliveries (task_id, submission_key, body, refusal, received_at) VALUES (@taskId, @submissionKey, @Body, @Refusal, @now);
                """, new { taskId, submissionKey, delivery.Body, delivery.Refusal, now = _dialect.Instant(now) }, tx);
            return true;
        }, cancellationToken);
    }

    public Task<WebhookDelivery?> GetDeliveryAsync(string taskId, string submissionKey, CancellationToken cancellationToken) =>
        _db.ReadAsync(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<(byte[]? Body, string? Refusal)?>(
                "SELECT body, refusal FROM upstream_deliveries WHERE task_id = @taskId AND submission_key = @submissionKey", new { taskId, submissionKey });
            return row is { } r ? new WebhookDelivery(r.Body, r.Refusal) : null;
        }, cancellationToken);

    public Task ForgetDeliveryAsync(string taskId, CancellationToken cancellationToken) =>
        _db.StatementAsync((c, tx) => c.ExecuteAsync("DELETE FROM upstream_deliveries WHERE task_id = @taskId", new { taskId }, tx), cancellationToken);

    public Task<IReadOnlyDictionary<string, int>> WaitingByEngineAsync(string nodeId, CancellationToken cancellationToken) =>
        _db.ReadAsync<IReadOnlyDictionary<string, int>>(async c => (await c.QueryAsync<(string Engine, long Count)>(
            $"SELECT engine, COUNT(*) FROM tasks WHERE lease_node = @nodeId AND upstream_id IS NOT NULL AND state = {Processing} GROUP BY engine",
            new { nodeId })).ToDictionary(r => r.Engine, r => (int)r.Count), cancellationToken);

    // An upstream's figure is input: one beyond a billion is not a price, and is not stored.
    private static long? Micros(UpstreamCost? cost) =>
        cost is { Amount: >= 0 and <= 1_000_000_000m } ? (long)decimal.Round(cost.Amount * 1_000_000m) : null;

    private static UpstreamJob? Map(JobRow? row) => row is null || row.UpstreamKey is null ? null : new UpstreamJob(
        row.TaskId, row.Engine ?? "", row.UpstreamKey, row.WakeToken ?? "", row.UpstreamId,
        row.SubmittedAt is null ? null : StoreDialect.ReadInstant(row.SubmittedAt),
        row.NextPollAt is null ? null : StoreDialect.ReadInstant(row.NextPollAt),
        (int)row.Polls,
        row.Wakes,
        row.UpstreamCostMicros is long micros && row.UpstreamCostUnit is { } unit ? new UpstreamCost(micros / 1_000_000m, unit) : null);

    private sealed class JobRow
    {
        public string TaskId { get; set; } = "";
        public string? Engine { get; set; }
        public string? UpstreamKey { get; set; }
        public string? WakeToken { get; set; }
        public string? UpstreamId { get; set; }
        public object? SubmittedAt { get; set; }
        public object? NextPollAt { get; set; }
        public long Polls { get; set; }
        public long Wakes { get; set; }
        public long? UpstreamCostMicros { get; set; }
        public string? UpstreamCostUnit { get; set; }
        public string? LeaseToken { get; set; }
        public string? LeaseNode { get; set; }
        public long Kind { get; set; }
        public long Progress { get; set; }
    }
}

/// <summary>Upstream jobs in the embedded SQLite file.</summary>
public sealed class SqliteUpstreamJobStore(Sqlite.SqliteDatabase db) : UpstreamJobStore(db, StoreDialect.Sqlite);

/// <summary>Upstream jobs in the shared PostgreSQL database.</summary>
public sealed class PostgresUpstreamJobStore(Postgres.PostgresDatabase db) : UpstreamJobStore(db, StoreDialect.Postgres);
