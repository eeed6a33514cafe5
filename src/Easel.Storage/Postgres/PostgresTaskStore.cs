using System.Data;
using System.Text.Json;
using Dapper;
using Easel.Core.Accounts;
using Easel.Core.Callbacks;
using Easel.Core.Operations;
using Easel.Core.Pricing;
using Easel.Core.Tasks;
using Npgsql;
using static Easel.Storage.Postgres.PostgresTaskRows;

using static Easel.Storage.TaskStatements;

namespace Easel.Storage.Postgres;

/// <summary>
/// Tasks in PostgreSQL, with the contract of SqliteTaskStore: each transition is one UPDATE whose WHERE names the
/// state (and lease) it expects. What differs is who waits: a create locks only its own account's row, so creates
/// of different accounts run side by side, and claims skip rows another node has locked.
/// </summary>
public sealed class PostgresTaskStore(PostgresDatabase db, CallbackHandoff? callbacks = null, CallbackOptions? callbackOptions = null,
    PostgresWakeups? wakeups = null, TimeProvider? time = null) : ITaskStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;


    public async Task<InsertResult> InsertAsync(TaskRecord task, TaskAdmission admission, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(admission);
        var at = now.ToUniversalTime();
        var result = admission.Idempotency is null
            ? await InsertInOneRoundTripAsync(task, admission, at, cancellationToken)
            : await db.WriteAsync(async (c, tx) =>
        {
            // The account's row lock first, held to the commit: concurrent creates of THIS account queue here, so
            // the idempotency lookup and the active-task count below are not check-then-act. Creates of other
            // accounts lock other rows and never wait on this one. NO KEY UPDATE (what the UPDATE below takes
            // anyway) rather than UPDATE, so it does not block the foreign-key checks of rows that merely refer to
            // the account, such as a settlement's ledger row.
            var exists = await c.ExecuteScalarAsync<bool>(LockAccountSql, new { task.AccountId }, tx);
            if (!exists)
            {
                // As the SQLite store answers: the reservation below would find no row to reserve from.
                return new InsertResult(InsertStatus.InsufficientCredits, null);
            }
            if (admission.Idempotency is { } claim)
            {
                var earlier = await c.QuerySingleOrDefaultAsync<IdempotencyRow>(
                    "SELECT request_hash, task_id, created_at FROM idempotency_keys WHERE account_id = @AccountId AND key = @Key",
                    new { task.AccountId, claim.Key }, tx);
                if (earlier is not null && Instant(earlier.CreatedAt) > now - claim.Window)
                {
                    return earlier.RequestHash.AsSpan().SequenceEqual(claim.RequestHash)
                        ? new InsertResult(InsertStatus.Replayed, Map(await c.QuerySingleOrDefaultAsync<TaskRow>(
                            $"SELECT {Columns} FROM tasks WHERE id = @TaskId", new { earlier.TaskId }, tx)))
                        : new InsertResult(InsertStatus.IdempotencyConflict, null);
                }
            }

            var outcome = await c.QuerySingleAsync<ReservationRow>(ReserveAndInsertSql, ReservationArguments(task, admission, at), tx);
            if (outcome.Reserved == 0)
            {
                return Refused(outcome, admission);
            }
            if (admission.Idempotency is { } used)
            {
                // An expired record of the same key is replaced.
                await c.ExecuteAsync(
                    """
                    INSERT INTO idempotency_keys (account_id, key, request_hash, task_id, created_at) VALUES (@AccountId, @Key, @RequestHash, @Id, @at)
                    ON CONFLICT (account_id, key) DO UPDATE SET request_hash = excluded.request_hash, task_id = excluded.task_id, created_at = excluded.created_at
                    """,
                    new { task.AccountId, used.Key, used.RequestHash, task.Id, at }, tx);
            }
            return new InsertResult(InsertStatus.Inserted, task);
        }, cancellationToken);
        if (result.Status == InsertStatus.Inserted)
        {
            wakeups?.WorkAvailable();
        }
        return result;
    }

    // Locks the account's row until the end of the transaction. NO KEY UPDATE (what the reservation's UPDATE takes
    // anyway) rather than UPDATE, so it does not block the foreign-key checks of rows that merely refer to the
    // account, such as a settlement's ledger row.
    private const string LockAccountSql = "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = @AccountId FOR NO KEY UPDATE)";

    // The active-task cap, the reservation, the task and its reserve ledger row in ONE statement: the count is read
    // under the account's lock (a statement after the lock sees every create of the account committed before it),
    // the reservation is one conditional UPDATE, and the inserts select from its RETURNING, so a refused create (cap
    // reached, credits short, no such account) writes nothing. Two creates can never both spend the same credits.
    private static readonly string ReserveAndInsertSql =
        $"""
        WITH active AS (
            SELECT COUNT(*) AS n FROM tasks WHERE account_id = @AccountId AND state IN ({Pending}, {Processing})),
        reserved AS (
            UPDATE accounts SET balance_micros = balance_micros - @PriceMicros
            WHERE id = @AccountId AND (unlimited OR balance_micros >= @PriceMicros) AND (SELECT n FROM active) < @maxActive
            RETURNING id),
        new_task AS (
            INSERT INTO tasks ({InsertColumns}) SELECT {InsertValues} FROM reserved),
        reserve_row AS (
            INSERT INTO ledger (account_id, task_id, kind, amount_micros, created_at)
            SELECT @AccountId, @Id, @reserveKind, -@PriceMicros, @at FROM reserved),
        inputs AS (
            INSERT INTO task_blobs (blob_key, task_id) SELECT k, @Id FROM reserved, unnest(@InputKeys::text[]) AS k)
        SELECT (SELECT COUNT(*) FROM reserved) AS reserved, (SELECT n FROM active) AS active
        """;

    private static DynamicParameters ReservationArguments(TaskRecord task, TaskAdmission admission, DateTimeOffset at)
    {
        var arguments = new DynamicParameters(InsertArguments(task));
        arguments.Add("at", at);
        arguments.Add("maxActive", (long)admission.MaxActiveTasks);
        arguments.Add("reserveKind", (int)LedgerKind.Reserve);
        return arguments;
    }

    private static InsertResult Refused(ReservationRow outcome, TaskAdmission admission) =>
        new(outcome.Active >= admission.MaxActiveTasks ? InsertStatus.TooManyActive : InsertStatus.InsufficientCredits, null);

    /// <summary>
    /// A create without an idempotency key, as ONE round trip: the lock and the reservation statement go in one
    /// batch, which PostgreSQL runs as one implicit transaction (both or neither), committing as it ends. So the
    /// account's row is held only while the server executes them, never while this process is scheduled between
    /// statements: under load that wait, not the statements, was what one account's creates queued behind.
    /// </summary>
    private async Task<InsertResult> InsertInOneRoundTripAsync(TaskRecord task, TaskAdmission admission, DateTimeOffset at, CancellationToken cancellationToken) =>
        await db.RunAsync(async c =>
        {
            await using var results = await c.QueryMultipleAsync(LockAccountSql + ";\n" + ReserveAndInsertSql, ReservationArguments(task, admission, at));
            await results.ReadSingleAsync<bool>(); // the lock; a missing account reserves nothing below
            var outcome = await results.ReadSingleAsync<ReservationRow>();
            return outcome.Reserved == 0 ? Refused(outcome, admission) : new InsertResult(InsertStatus.Inserted, task);
        }, cancellationToken);

    // Settlement and the callback's outbox row ride in the transaction of the terminal transition: all of it
    // happens, or none. The row is created already claimed by this node and handed to its dispatcher after the commit.
    private async Task<DeliveryClaim?> SettleAsync(NpgsqlConnection c, IDbTransaction tx, string taskId, Settlement settlement, DateTimeOffset now)
    {
        var token = Guid.NewGuid().ToString("N");
        var at = now.ToUniversalTime();
        var lease = (callbackOptions ?? new CallbackOptions()).LeaseDuration;
        var delivery = await c.QuerySingleOrDefaultAsync<DeliveryRow>(
            $"""
            INSERT INTO callback_deliveries (id, task_id, account_id, event, url, next_attempt_at, created_at, lease_token, lease_expires_at, trace_parent)
            SELECT @deliveryId, id, account_id,
                   CASE state WHEN {Completed} THEN '{CallbackEvents.Completed}' WHEN {Failed} THEN '{CallbackEvents.Failed}' ELSE '{CallbackEvents.Cancelled}' END,
                   callback_url, @at, @at, @token, @expires, trace_parent
            FROM tasks WHERE id = @taskId AND callback_url IS NOT NULL
            RETURNING id, task_id, account_id, event, url, trace_parent
            """,
            new { deliveryId = "dlv_" + Guid.NewGuid().ToString("N"), taskId, at, token, expires = at + lease }, tx);
        var kind = settlement == Settlement.Charge ? LedgerKind.Charge : LedgerKind.Refund;
        // The ledger row and the balance in one statement; the unique index ledger_task_settle makes a second
        // settlement of the task fail the whole transaction rather than pay twice.
        await c.ExecuteAsync(
            """
            WITH settled AS (
                INSERT INTO ledger (account_id, task_id, kind, amount_micros, created_at)
                SELECT account_id, id, @kind, CASE WHEN @kind = @refund THEN price_micros ELSE 0 END, @at FROM tasks WHERE id = @taskId
                RETURNING account_id, amount_micros)
            UPDATE accounts a SET balance_micros = a.balance_micros + s.amount_micros
            FROM settled s WHERE a.id = s.account_id AND s.amount_micros <> 0
            """,
            new { taskId, kind = (int)kind, refund = (int)LedgerKind.Refund, at }, tx);
        if (delivery is null)
        {
            return null;
        }
        return new DeliveryClaim(new CallbackDelivery(delivery.Id, delivery.TaskId, delivery.AccountId, delivery.Event, delivery.Url,
            DeliveryState.Pending, 0, at, null, null, null, null, at) { TraceParent = delivery.TraceParent }, token);
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
            beforeAt = query.Before?.CreatedAt.ToUniversalTime(),
            beforeId = query.Before?.Id,
            limit = query.Limit,
        })).Select(row => Map(row)!).ToList(), cancellationToken);
    }

    public Task<ClaimedTask?> ClaimNextAsync(string nodeId, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken) =>
        db.RunAsync(async c =>
        {
            var token = Guid.NewGuid().ToString("N");
            var args = new { nodeId, token, now = now.ToUniversalTime(), expires = (now + leaseDuration).ToUniversalTime() };
            // SKIP LOCKED: nodes claiming at the same moment each take a different row instead of queueing on the
            // first one. Pending first (turbo, then oldest); then a processing task whose node stopped renewing.
            var row = await c.QuerySingleOrDefaultAsync<TaskRow>(
                $"""
                UPDATE tasks SET state = {Processing}, lease_node = @nodeId, lease_token = @token, lease_expires_at = @expires,
                       attempts = attempts + 1, started_at = COALESCE(started_at, @now)
                WHERE state = {Pending} AND id = (
                    SELECT id FROM tasks WHERE state = {Pending} ORDER BY priority DESC, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING {Columns}
                """, args)
                ?? await c.QuerySingleOrDefaultAsync<TaskRow>(
                $"""
                UPDATE tasks SET lease_node = @nodeId, lease_token = @token, lease_expires_at = @expires, attempts = attempts + 1
                WHERE state = {Processing} AND lease_expires_at < @now AND id = (
                    SELECT id FROM tasks WHERE state = {Processing} AND lease_expires_at < @now ORDER BY lease_expires_at LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING {Columns}
                """, args);
            return row is null ? null : new ClaimedTask(Map(row)!, new TaskLease(row.Id, nodeId, token));
        }, cancellationToken);

    public async Task<bool> RenewLeaseAsync(TaskLease lease, DateTimeOffset now, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return await db.RunAsync(c => c.ExecuteAsync(
            $"UPDATE tasks SET lease_expires_at = @expires WHERE id = @TaskId AND state = {Processing} AND lease_token = @Token",
            new { lease.TaskId, lease.Token, expires = (now + leaseDuration).ToUniversalTime() }), cancellationToken) == 1;
    }

    public async Task<bool> ReportProgressAsync(TaskLease lease, int progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return await db.RunAsync(c => c.ExecuteAsync(
            $"UPDATE tasks SET progress = @progress WHERE id = @TaskId AND state = {Processing} AND lease_token = @Token AND progress < @progress",
            new { lease.TaskId, lease.Token, progress }), cancellationToken) == 1;
    }

    public async Task<bool> CompleteAsync(TaskLease lease, IReadOnlyList<string> resultKeys, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var keys = JsonSerializer.Serialize(resultKeys, Json);
        var (done, callback) = await db.WriteAsync(async (c, tx) =>
        {
            var at = Stamp(_time, now);
            // One statement: the results are held by their task like its inputs (TaskFileStore reads holds from task_blobs
            // alone), recorded only when the task moved to completed here.
            var transitioned = await c.ExecuteScalarAsync<int>(
                $"""
                WITH done AS (
                    UPDATE tasks SET state = {Completed}, progress = 100, result_keys = @keys::jsonb, finished_at = @at,
                           lease_node = NULL, lease_token = NULL, lease_expires_at = NULL
                    WHERE id = @TaskId AND state = {Processing} AND lease_token = @Token
                    RETURNING id),
                held AS (
                    INSERT INTO task_blobs (blob_key, task_id) SELECT k, done.id FROM done, unnest(@resultKeys::text[]) AS k
                    ON CONFLICT DO NOTHING)
                SELECT COUNT(*)::int FROM done
                """,
                new { lease.TaskId, lease.Token, keys, at = at.ToUniversalTime(), resultKeys = resultKeys.ToArray() }, tx);
            return await SettledAsync(c, tx, lease.TaskId, Settlement.Charge, at, transitioned);
        }, cancellationToken);
        HandOff(callback);
        return done;
    }

    private async Task<(bool Done, DeliveryClaim? Callback)> SettledAsync(NpgsqlConnection c, IDbTransaction tx, string taskId, Settlement settlement, DateTimeOffset now, int transitioned) =>
        transitioned != 1 ? (false, null) : (true, await SettleAsync(c, tx, taskId, settlement, now));

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
                new { lease.TaskId, lease.Token, kind = (int)failure.Kind, message = failure.Message, at = at.ToUniversalTime() }, tx);
            return await SettledAsync(c, tx, lease.TaskId, settlement, at, transitioned);
        }, cancellationToken);
        HandOff(callback);
        return done;
    }

    public async Task<CancelOutcome> CancelAsync(string taskId, string accountId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (outcome, callback) = await db.WriteAsync<(CancelOutcome, DeliveryClaim?)>(async (c, tx) =>
        {
            // A cancel racing a completion waits on the task's row; when it gets it, the state it expects is gone.
            var at = Stamp(_time, now);
            var cancelled = await c.QuerySingleOrDefaultAsync<TaskRow>(
                $"""
                UPDATE tasks SET state = {Cancelled}, finished_at = @at, lease_node = NULL, lease_token = NULL, lease_expires_at = NULL
                WHERE id = @taskId AND account_id = @accountId AND state IN ({Pending}, {Processing})
                RETURNING {Columns}
                """,
                new { taskId, accountId, at = at.ToUniversalTime() }, tx);
            if (cancelled is not null)
            {
                return (new CancelOutcome(Map(cancelled), CancelledNow: true), await SettleAsync(c, tx, taskId, Settlement.Refund, at));
            }
            return (new CancelOutcome(Map(await c.QuerySingleOrDefaultAsync<TaskRow>(
                $"SELECT {Columns} FROM tasks WHERE id = @taskId AND account_id = @accountId", new { taskId, accountId }, tx)), CancelledNow: false), null);
        }, cancellationToken);
        HandOff(callback);
        return outcome;
    }


    public async Task<int> ReleaseLeasesAsync(string nodeId, CancellationToken cancellationToken)
    {
        // Only this node's leases: the other nodes on the database are running theirs.
        var released = await db.RunAsync(c => c.ExecuteAsync(
            ReleaseNodeLeases,
            new { nodeId }), cancellationToken);
        if (released > 0)
        {
            wakeups?.WorkAvailable();
        }
        return released;
    }

    public async Task<bool> ReleaseLeaseAsync(TaskLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var released = await db.RunAsync(c => c.ExecuteAsync(
            ReleaseLease,
            new { lease.TaskId, lease.Token }), cancellationToken) == 1;
        if (released)
        {
            // Another node may take it at once rather than at its next poll.
            wakeups?.WorkAvailable();
        }
        return released;
    }

    public Task<PendingSummary> PendingSummaryAsync(CancellationToken cancellationToken) =>
        db.ReadAsync(async c =>
        {
            var row = await c.QuerySingleAsync<PendingRow>(PendingCountAndOldest);
            return new PendingSummary(row.Count, row.Oldest is DateTime at ? Instant(at) : null);
        }, cancellationToken);

    private sealed class ReservationRow
    {
        public long Reserved { get; set; }
        public long Active { get; set; }
    }

    private sealed class PendingRow
    {
        public long Count { get; set; }
        public DateTime? Oldest { get; set; }
    }

    public Task<double?> RecentDurationSecondsAsync(OperationKind kind, int sampleSize, CancellationToken cancellationToken) =>
        db.ReadAsync(c => c.ExecuteScalarAsync<double?>(
            $"""
            SELECT AVG(EXTRACT(EPOCH FROM finished_at - started_at))::double precision FROM (
                SELECT finished_at, started_at FROM tasks
                WHERE state = {Completed} AND kind = @kind AND started_at IS NOT NULL
                ORDER BY finished_at DESC LIMIT @sampleSize) recent
            """,
            new { kind = (int)kind, sampleSize }), cancellationToken);

    private sealed class DeliveryRow
    {
        public string Id { get; set; } = "";
        public string TaskId { get; set; } = "";
        public string AccountId { get; set; } = "";
        public string Event { get; set; } = "";
        public string Url { get; set; } = "";
        public string? TraceParent { get; set; }
    }

    private sealed class IdempotencyRow
    {
        public byte[] RequestHash { get; set; } = [];
        public string TaskId { get; set; } = "";
        public DateTime CreatedAt { get; set; }
    }
}
