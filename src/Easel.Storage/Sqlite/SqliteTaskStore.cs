using System.Text.Json;
using Dapper;
using Easel.Core.Accounts;
using Easel.Core.Callbacks;
using Easel.Core.Operations;
using Easel.Core.Pricing;
using Easel.Core.Tasks;

using static Easel.Storage.TaskStatements;

namespace Easel.Storage.Sqlite;

/// <summary>
/// Tasks in SQLite. Each transition is one UPDATE whose WHERE names the state (and lease) it expects, so it
/// happens once; a row count of zero means another actor got there first.
/// </summary>
public sealed class SqliteTaskStore(
    SqliteDatabase db, CallbackHandoff? callbacks = null, CallbackOptions? callbackOptions = null, TimeProvider? time = null) : ITaskStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private const string Columns =
        "id, account_id, dialect, kind, operation, state, progress, created_at, started_at, finished_at, price_micros, " +
        "failure_kind, failure_message, result_keys, callback_url, attempts, price_group, base_url, request_id, trace_parent, engine, files_deleted_at";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);


    public Task<InsertResult> InsertAsync(TaskRecord task, TaskAdmission admission, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(admission);
        return db.WriteAsync(async (c, tx) =>
        {
            var at = now.ToUnixTimeMilliseconds();
            if (admission.Idempotency is { } claim)
            {
                var earlier = await c.QuerySingleOrDefaultAsync<IdempotencyRow>(
                    "SELECT request_hash, task_id, created_at FROM idempotency_keys WHERE account_id = @AccountId AND key = @Key",
                    new { task.AccountId, claim.Key }, tx);
                if (earlier is not null && earlier.CreatedAt > (now - claim.Window).ToUnixTimeMilliseconds())
                {
                    return earlier.RequestHash.AsSpan().SequenceEqual(claim.RequestHash)
                        ? new InsertResult(InsertStatus.Replayed, Map(await c.QuerySingleOrDefaultAsync<TaskRow>(
                            $"SELECT {Columns} FROM tasks WHERE id = @TaskId", new { earlier.TaskId }, tx)))
                        : new InsertResult(InsertStatus.IdempotencyConflict, null);
                }
            }

            // Every refusal below is decided before the first write, so a refused create leaves nothing behind.

            var active = await c.ExecuteScalarAsync<long>(
                $"SELECT COUNT(*) FROM tasks WHERE account_id = @AccountId AND state IN ({Pending}, {Processing})",
                new { task.AccountId }, tx);
            if (active >= admission.MaxActiveTasks)
            {
                return new InsertResult(InsertStatus.TooManyActive, null);
            }

            // The reservation: one conditional statement, so two creates can never both spend the same credits.
            var reserved = await c.ExecuteAsync(
                "UPDATE accounts SET balance_micros = balance_micros - @PriceMicros WHERE id = @AccountId AND (unlimited = 1 OR balance_micros >= @PriceMicros)",
                new { task.PriceMicros, task.AccountId }, tx);
            if (reserved == 0)
            {
                return new InsertResult(InsertStatus.InsufficientCredits, null);
            }
            if (admission.Idempotency is { } used)
            {
                // An expired record of the same key is replaced.
                await c.ExecuteAsync(
                    "INSERT OR REPLACE INTO idempotency_keys (account_id, key, request_hash, task_id, created_at) VALUES (@AccountId, @Key, @RequestHash, @Id, @at)",
                    new { task.AccountId, used.Key, used.RequestHash, task.Id, at }, tx);
            }
            await c.ExecuteAsync(
                """
                INSERT INTO tasks (id, account_id, dialect, kind, operation, state, progress, priority, created_at, price_micros, callback_url, price_group, base_url, request_id, trace_parent)
                VALUES (@Id, @AccountId, @Dialect, @Kind, @Operation, @State, 0, @Priority, @CreatedAt, @PriceMicros, @CallbackUrl, @PriceGroup, @BaseUrl, @RequestId, @TraceParent)
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
                    task.PriceGroup,
                    task.BaseUrl,
                    task.RequestId,
                    task.TraceParent,
                }, tx);
            await c.ExecuteAsync(
                "INSERT INTO ledger (account_id, task_id, kind, amount_micros, created_at) VALUES (@AccountId, @Id, @kind, -@PriceMicros, @at)",
                new { task.AccountId, task.Id, kind = (int)LedgerKind.Reserve, task.PriceMicros, at }, tx);
            // The blobs it reads, held for it (TaskFileStore never deletes a blob a task with files still holds).
            await c.ExecuteAsync(
                "INSERT OR IGNORE INTO task_blobs (blob_key, task_id) VALUES (@key, @Id)",
                task.InputBlobKeys.Distinct(StringComparer.Ordinal).Select(key => new { key, task.Id }), tx);
            return new InsertResult(InsertStatus.Inserted, task);
        }, cancellationToken);
    }

    // Settlement and the callback's outbox row ride in the transaction of the terminal transition: all of it
    // happens, or none. So a callback is only ever sent about a task whose billing is settled. The row is created
    // already claimed by this node; it is handed to the dispatcher once the transaction has committed.
    private async Task<DeliveryClaim?> SettleAsync(Microsoft.Data.Sqlite.SqliteConnection c, System.Data.IDbTransaction tx, string taskId, Settlement settlement, long at)
    {
        var token = Guid.NewGuid().ToString("N");
        var leaseMs = (long)(callbackOptions ?? new CallbackOptions()).LeaseDuration.TotalMilliseconds;
        var delivery = await c.QuerySingleOrDefaultAsync<DeliveryRow>(
            $"""
            INSERT INTO callback_deliveries (id, task_id, account_id, event, url, next_attempt_at, created_at, lease_token, lease_expires_at, trace_parent)
            SELECT @deliveryId, id, account_id,
                   CASE state WHEN {Completed} THEN '{CallbackEvents.Completed}' WHEN {Failed} THEN '{CallbackEvents.Failed}' ELSE '{CallbackEvents.Cancelled}' END,
                   callback_url, @at, @at, @token, @expires, trace_parent
            FROM tasks WHERE id = @taskId AND callback_url IS NOT NULL
            RETURNING id, task_id, account_id, event, url, trace_parent
            """,
            new { deliveryId = "dlv_" + Guid.NewGuid().ToString("N"), taskId, at, token, expires = at + leaseMs }, tx);
        var kind = settlement == Settlement.Charge ? LedgerKind.Charge : LedgerKind.Refund;
        await c.ExecuteAsync(
            """
            INSERT INTO ledger (account_id, task_id, kind, amount_micros, created_at)
            SELECT account_id, id, @kind, CASE @kind WHEN @refund THEN price_micros ELSE 0 END, @at FROM tasks WHERE id = @taskId
            """,
            new { taskId, kind = (int)kind, refund = (int)LedgerKind.Refund, at }, tx);
        if (settlement == Settlement.Refund)
        {
            await c.ExecuteAsync(
                "UPDATE accounts SET balance_micros = balance_micros + (SELECT price_micros FROM tasks WHERE id = @taskId) WHERE id = (SELECT account_id FROM tasks WHERE id = @taskId)",
                new { taskId }, tx);
        }
        if (delivery is null)
        {
            return null;
        }
        var when = DateTimeOffset.FromUnixTimeMilliseconds(at);
        return new DeliveryClaim(new CallbackDelivery(delivery.Id, delivery.TaskId, delivery.AccountId, delivery.Event, delivery.Url,
            DeliveryState.Pending, 0, when, null, null, null, null, when) { TraceParent = delivery.TraceParent }, token);
    }

    // Called after the commit: a delivery is never attempted for a transition that did not happen.
    private void HandOff(DeliveryClaim? claim)
    {
        if (claim is not null)
        {
            callbacks?.Handoff(claim);
        }
    }

    public Task<TaskRecord?> FindAsync(string taskId, string accountId, CancellationToken cancellationToken) =>
        db.ReadAsync(async c => Map(await c.QuerySingleOrDefaultAsync<TaskRow>(
            $"SELECT {Columns} FROM tasks WHERE id = @taskId AND account_id = @accountId", new { taskId, accountId })), cancellationToken);

    public Task<TaskRecord?> GetAsync(string taskId, CancellationToken cancellationToken) =>
        db.ReadAsync(async c => Map(await c.QuerySingleOrDefaultAsync<TaskRow>(
            $"SELECT {Columns} FROM tasks WHERE id = @taskId", new { taskId })), cancellationToken);

    public Task<IReadOnlyList<TaskRecord>> ListAsync(string accountId, TaskListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sql = List(Columns, query);
        return db.ReadAsync<IReadOnlyList<TaskRecord>>(async c => (await c.QueryAsync<TaskRow>(sql, new
        {
            accountId,
            beforeAt = query.Before?.CreatedAt.ToUnixTimeMilliseconds(),
            beforeId = query.Before?.Id,
            limit = query.Limit,
        })).Select(row => Map(row)!).ToList(), cancellationToken);
    }

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
            };
            // Pending first (turbo, then oldest); then a processing task whose node stopped renewing its lease.
            var row = await c.QuerySingleOrDefaultAsync<TaskRow>(
                $"""
                UPDATE tasks SET state = {Processing}, lease_node = @nodeId, lease_token = @token, lease_expires_at = @expires,
                       attempts = attempts + 1, started_at = COALESCE(started_at, @now)
                WHERE id = (SELECT id FROM tasks WHERE state = {Pending} ORDER BY priority DESC, created_at LIMIT 1)
                RETURNING {Columns}
                """, args, tx)
                ?? await c.QuerySingleOrDefaultAsync<TaskRow>(
                $"""
                UPDATE tasks SET lease_node = @nodeId, lease_token = @token, lease_expires_at = @expires, attempts = attempts + 1
                WHERE id = (SELECT id FROM tasks WHERE state = {Processing} AND lease_expires_at < @now ORDER BY lease_expires_at LIMIT 1)
                RETURNING {Columns}
                """, args, tx);
            return row is null ? null : new ClaimedTask(Map(row)!, new TaskLease(row.Id, nodeId, token));
        }, cancellationToken);

    public async Task<bool> RenewLeaseAsync(TaskLease lease, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return await db.WriteAsync((c, tx) => c.ExecuteAsync(
            $"UPDATE tasks SET lease_expires_at = @expires WHERE id = @TaskId AND state = {Processing} AND lease_token = @Token",
            new { lease.TaskId, lease.Token, expires = (now + leaseDuration).ToUnixTimeMilliseconds() }, tx),
            cancellationToken) == 1;
    }

    public async Task<bool> ReportProgressAsync(TaskLease lease, int progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return await db.WriteAsync((c, tx) => c.ExecuteAsync(
            $"UPDATE tasks SET progress = @progress WHERE id = @TaskId AND state = {Processing} AND lease_token = @Token AND progress < @progress",
            new { lease.TaskId, lease.Token, progress }, tx), cancellationToken) == 1;
    }

    public async Task<bool> CompleteAsync(TaskLease lease, IReadOnlyList<string> resultKeys, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var keys = JsonSerializer.Serialize(resultKeys, Json);
        var (done, callback) = await db.WriteAsync(async (c, tx) =>
        {
            var at = Stamp(_time, now);
            var transitioned = await c.ExecuteAsync(
                $"""
                UPDATE tasks SET state = {Completed}, progress = 100, result_keys = @keys, finished_at = @at,
                       lease_node = NULL, lease_token = NULL, lease_expires_at = NULL
                WHERE id = @TaskId AND state = {Processing} AND lease_token = @Token
                """,
                new { lease.TaskId, lease.Token, keys, at = at.ToUnixTimeMilliseconds() }, tx);
            if (transitioned == 1)
            {
                // The results are held by their task like its inputs (TaskFileStore reads holds from task_blobs alone).
                await c.ExecuteAsync(
                    "INSERT OR IGNORE INTO task_blobs (blob_key, task_id) VALUES (@key, @TaskId)",
                    resultKeys.Select(key => new { key, lease.TaskId }), tx);
            }
            return await SettledAsync(c, tx, lease.TaskId, Settlement.Charge, at, transitioned);
        }, cancellationToken);
        HandOff(callback);
        return done;
    }

    private async Task<(bool Done, DeliveryClaim? Callback)> SettledAsync(Microsoft.Data.Sqlite.SqliteConnection c, System.Data.IDbTransaction tx, string taskId, Settlement settlement, DateTimeOffset now, int transitioned)
    {
        if (transitioned != 1)
        {
            return (false, null);
        }
        return (true, await SettleAsync(c, tx, taskId, settlement, now.ToUnixTimeMilliseconds()));
    }

    public async Task<bool> FailAsync(TaskLease lease, TaskFailure failure, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(failure);
        var settlement = SettlementPolicy.For(TaskState.Failed, failure.Kind);
        var (done, callback) = await db.WriteAsync(async (c, tx) =>
        {
            var at = Stamp(_time, now);
            var transitioned = await c.ExecuteAsync(
                $"""
                UPDATE tasks SET state = {Failed}, failure_kind = @kind, failure_message = @message, finished_at = @at,
                       lease_node = NULL, lease_token = NULL, lease_expires_at = NULL
                WHERE id = @TaskId AND state = {Processing} AND lease_token = @Token
                """,
                new { lease.TaskId, lease.Token, kind = (int)failure.Kind, message = failure.Message, at = at.ToUnixTimeMilliseconds() }, tx);
            return await SettledAsync(c, tx, lease.TaskId, settlement, at, transitioned);
        }, cancellationToken);
        HandOff(callback);
        return done;
    }

    public async Task<CancelOutcome> CancelAsync(string taskId, string accountId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (outcome, callback) = await db.WriteAsync<(CancelOutcome, DeliveryClaim?)>(async (c, tx) =>
        {
            var at = Stamp(_time, now);
            var cancelled = await c.QuerySingleOrDefaultAsync<TaskRow>(
                $"""
                UPDATE tasks SET state = {Cancelled}, finished_at = @at, lease_node = NULL, lease_token = NULL, lease_expires_at = NULL
                WHERE id = @taskId AND account_id = @accountId AND state IN ({Pending}, {Processing})
                RETURNING {Columns}
                """,
                new { taskId, accountId, at = at.ToUnixTimeMilliseconds() }, tx);
            if (cancelled is not null)
            {
                return (new CancelOutcome(Map(cancelled), CancelledNow: true), await SettleAsync(c, tx, taskId, Settlement.Refund, at.ToUnixTimeMilliseconds()));
            }
            return (new CancelOutcome(Map(await c.QuerySingleOrDefaultAsync<TaskRow>(
                $"SELECT {Columns} FROM tasks WHERE id = @taskId AND account_id = @accountId", new { taskId, accountId }, tx)), CancelledNow: false), null);
        }, cancellationToken);
        HandOff(callback);
        return outcome;
    }


    public Task<int> ReleaseLeasesAsync(string nodeId, CancellationToken cancellationToken) =>
        db.WriteAsync((c, tx) => c.ExecuteAsync(
            ReleaseNodeLeases,
            new { nodeId }, tx), cancellationToken);

    public async Task<bool> ReleaseLeaseAsync(TaskLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return await db.WriteAsync((c, tx) => c.ExecuteAsync(
            ReleaseLease,
            new { lease.TaskId, lease.Token }, tx), cancellationToken) == 1;
    }

    public Task<double?> RecentDurationSecondsAsync(OperationKind kind, int sampleSize, CancellationToken cancellationToken) =>
        db.ReadAsync(c => c.ExecuteScalarAsync<double?>(
            $"""
            SELECT AVG(finished_at - started_at) / 1000.0 FROM (
                SELECT finished_at, started_at FROM tasks
                WHERE state = {Completed} AND kind = @kind AND started_at IS NOT NULL
                ORDER BY finished_at DESC LIMIT @sampleSize)
            """,
            new { kind = (int)kind, sampleSize }), cancellationToken);

    // Walks the partial index tasks_pending (pending rows only; SQLite still reads each row to check its state),
    // so a scrape costs in proportion to the queue, not to the table. A scrape every few seconds can afford that.
    public Task<PendingSummary> PendingSummaryAsync(CancellationToken cancellationToken) =>
        db.ReadAsync(async c =>
        {
            var row = await c.QuerySingleAsync<PendingRow>(PendingCountAndOldest);
            return new PendingSummary(row.Count, row.Oldest is long at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null);
        }, cancellationToken);

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
        (int)row.Attempts,
        row.PriceGroup)
    {
        BaseUrl = row.BaseUrl, RequestId = row.RequestId, TraceParent = row.TraceParent, Engine = row.Engine,
        FilesDeletedAt = row.FilesDeletedAt is long d ? DateTimeOffset.FromUnixTimeMilliseconds(d) : null,
    };

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
        public string PriceGroup { get; set; } = "";
        public string? BaseUrl { get; set; }
        public string? RequestId { get; set; }
        public string? TraceParent { get; set; }
        public string? Engine { get; set; }
        public long? FilesDeletedAt { get; set; }
    }

    private sealed class DeliveryRow
    {
        public string Id { get; set; } = "";
        public string TaskId { get; set; } = "";
        public string AccountId { get; set; } = "";
        public string Event { get; set; } = "";
        public string Url { get; set; } = "";
        public string? TraceParent { get; set; }
    }

    private sealed class PendingRow
    {
        public long Count { get; set; }
        public long? Oldest { get; set; }
    }

    private sealed class IdempotencyRow
    {
        public byte[] RequestHash { get; set; } = [];
        public string TaskId { get; set; } = "";
        public long CreatedAt { get; set; }
    }
}
