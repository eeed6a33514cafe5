using Dapper;
using Easel.Core.Callbacks;

namespace Easel.Storage;

/// <summary>
/// The callback outbox, in SQL both databases run. Claims and records are compare-and-set on (state, lease token),
/// like tasks; on PostgreSQL a claim skips rows another node is claiming. SqliteCallbackStore and
/// PostgresCallbackStore only choose a database.
/// </summary>
public abstract class CallbackStore : ICallbackStore
{
    private const string DeliveryColumns =
        "id, task_id, account_id, event, url, state, attempts, next_attempt_at, body, last_status, last_error, delivered_at, created_at, trace_parent";

    private const int Pending = (int)DeliveryState.Pending;

    // An attempt is recorded under the claim that made it (compare-and-set on state and lease token).
    private static readonly string Record =
        $"""
        UPDATE callback_deliveries
        SET state = @state, attempts = attempts + 1, body = @Body, last_status = @Status, last_error = @Error,
            delivered_at = @deliveredAt, next_attempt_at = @next, lease_token = NULL, lease_expires_at = NULL
        WHERE id = @id AND lease_token = @token AND state = {Pending}
        """;

    // Gives a claim back unattempted (a graceful stop): due again at once for any node.
    private static readonly string Release =
        $"UPDATE callback_deliveries SET lease_token = NULL, lease_expires_at = NULL WHERE id = @id AND lease_token = @token AND state = {Pending}";

    // When the next pending delivery can be claimed: its next attempt, or the end of a live claim on it if later (a
    // delivery being sent is pending too; asked for as due, it would have the worker ask again at once).
    private static readonly string NextDue =
        $"SELECT MIN(CASE WHEN lease_expires_at > next_attempt_at THEN lease_expires_at ELSE next_attempt_at END) FROM callback_deliveries WHERE state = {Pending}";

    private const string ForTask = $"SELECT {DeliveryColumns} FROM callback_deliveries WHERE task_id = @taskId ORDER BY created_at";

    private readonly IStoreDatabase _db;
    private readonly StoreDialect _dialect;
    private readonly string _claim;

    private protected CallbackStore(IStoreDatabase db, StoreDialect dialect)
    {
        _db = db;
        _dialect = dialect;
        _claim =
            $"""
            UPDATE callback_deliveries SET lease_token = @token, lease_expires_at = @expires
            WHERE id IN (
                SELECT id FROM callback_deliveries
                WHERE state = {Pending} AND next_attempt_at <= @now AND (lease_expires_at IS NULL OR lease_expires_at < @now)
                ORDER BY next_attempt_at LIMIT @max{dialect.SkipLocked})
            RETURNING {DeliveryColumns}
            """;
    }

    public Task<IReadOnlyList<DeliveryClaim>> ClaimDueAsync(DateTimeOffset now, TimeSpan leaseDuration, int max, CancellationToken cancellationToken) =>
        _db.StatementAsync<IReadOnlyList<DeliveryClaim>>(async (c, tx) =>
        {
            var token = Guid.NewGuid().ToString("N");
            var rows = await c.QueryAsync<Row>(_claim,
                new { token, now = _dialect.Instant(now), expires = _dialect.Instant(now + leaseDuration), max }, tx);
            return rows.Select(r => new DeliveryClaim(Map(r), token)).ToList();
        }, cancellationToken);

    public async Task<bool> RecordAsync(DeliveryClaim claim, DeliveryAttempt attempt, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(attempt);
        var state = StateAfter(attempt, retryAt);
        return await _db.StatementAsync((c, tx) => c.ExecuteAsync(
            Record,
            new
            {
                id = claim.Delivery.Id,
                token = claim.Token,
                state = (int)state,
                attempt.Body,
                attempt.Status,
                attempt.Error,
                deliveredAt = attempt.Delivered ? _dialect.Instant(attempt.At) : null,
                next = _dialect.Instant(retryAt ?? attempt.At),
            }, tx), cancellationToken) == 1;
    }

    public async Task<bool> ReleaseAsync(DeliveryClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return await _db.StatementAsync((c, tx) => c.ExecuteAsync(
            Release,
            new { id = claim.Delivery.Id, token = claim.Token }, tx), cancellationToken) == 1;
    }

    public Task<IReadOnlyList<CallbackDelivery>> ForTaskAsync(string taskId, CancellationToken cancellationToken) =>
        _db.ReadAsync<IReadOnlyList<CallbackDelivery>>(async c =>
            (await c.QueryAsync<Row>(ForTask, new { taskId }))
                .Select(Map).ToList(), cancellationToken);

    public Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) =>
        _db.ReadAsync(async c =>
        {
            var next = await c.ExecuteScalarAsync<object?>(NextDue);
            return next is null or DBNull ? (DateTimeOffset?)null : StoreDialect.ReadInstant(next);
        }, cancellationToken);

    /// <summary>Delivered, given up (no retry left), or pending again at the retry time.</summary>
    private static DeliveryState StateAfter(DeliveryAttempt attempt, DateTimeOffset? retryAt) =>
        attempt.Delivered ? DeliveryState.Delivered : retryAt is null ? DeliveryState.Failed : DeliveryState.Pending;

    private static CallbackDelivery Map(Row r) => new(
        r.Id, r.TaskId, r.AccountId, r.Event, r.Url, (DeliveryState)r.State, (int)r.Attempts,
        StoreDialect.ReadInstant(r.NextAttemptAt), r.Body, (int?)r.LastStatus, r.LastError,
        r.DeliveredAt is { } delivered ? StoreDialect.ReadInstant(delivered) : null,
        StoreDialect.ReadInstant(r.CreatedAt)) { TraceParent = r.TraceParent };

    // Integers as long and instants as object, read from either database (see AccountStore).
    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string TaskId { get; set; } = "";
        public string AccountId { get; set; } = "";
        public string Event { get; set; } = "";
        public string Url { get; set; } = "";
        public long State { get; set; }
        public long Attempts { get; set; }
        public object NextAttemptAt { get; set; } = 0L;
        public string? Body { get; set; }
        public long? LastStatus { get; set; }
        public string? LastError { get; set; }
        public object? DeliveredAt { get; set; }
        public object CreatedAt { get; set; } = 0L;
        public string? TraceParent { get; set; }
    }
}
