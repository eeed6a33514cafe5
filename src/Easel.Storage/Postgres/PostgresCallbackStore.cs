using Dapper;
using Easel.Core.Callbacks;
using static Easel.Storage.Postgres.PostgresTaskRows;

using static Easel.Storage.CallbackStatements;

namespace Easel.Storage.Postgres;

/// <summary>The callback outbox in PostgreSQL. Claims skip rows another node is claiming; records are compare-and-set on (state, lease token).</summary>
public sealed class PostgresCallbackStore(PostgresDatabase db) : ICallbackStore
{
    public Task<IReadOnlyList<DeliveryClaim>> ClaimDueAsync(DateTimeOffset now, TimeSpan leaseDuration, int max, CancellationToken cancellationToken) =>
        db.RunAsync<IReadOnlyList<DeliveryClaim>>(async c =>
        {
            var token = Guid.NewGuid().ToString("N");
            var rows = await c.QueryAsync<Row>(
                $"""
                UPDATE callback_deliveries SET lease_token = @token, lease_expires_at = @expires
                WHERE id IN (
                    SELECT id FROM callback_deliveries
                    WHERE state = {Pending} AND next_attempt_at <= @now AND (lease_expires_at IS NULL OR lease_expires_at < @now)
                    ORDER BY next_attempt_at LIMIT @max FOR UPDATE SKIP LOCKED)
                RETURNING {DeliveryColumns}
                """,
                new { token, now = now.ToUniversalTime(), expires = (now + leaseDuration).ToUniversalTime(), max });
            return rows.Select(r => new DeliveryClaim(Map(r), token)).ToList();
        }, cancellationToken);

    public async Task<bool> RecordAsync(DeliveryClaim claim, DeliveryAttempt attempt, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(attempt);
        var state = StateAfter(attempt, retryAt);
        return await db.RunAsync(c => c.ExecuteAsync(
            Record,
            new
            {
                id = claim.Delivery.Id,
                token = claim.Token,
                state = (int)state,
                attempt.Body,
                attempt.Status,
                attempt.Error,
                deliveredAt = attempt.Delivered ? attempt.At.ToUniversalTime() : (DateTimeOffset?)null,
                next = (retryAt ?? attempt.At).ToUniversalTime(),
            }), cancellationToken) == 1;
    }

    public async Task<bool> ReleaseAsync(DeliveryClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return await db.RunAsync(c => c.ExecuteAsync(
            Release,
            new { id = claim.Delivery.Id, token = claim.Token }), cancellationToken) == 1;
    }

    public Task<IReadOnlyList<CallbackDelivery>> ForTaskAsync(string taskId, CancellationToken cancellationToken) =>
        db.ReadAsync<IReadOnlyList<CallbackDelivery>>(async c =>
            (await c.QueryAsync<Row>(ForTask, new { taskId }))
                .Select(Map).ToList(), cancellationToken);

    public Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) =>
        db.ReadAsync(async c =>
        {
            var next = await c.ExecuteScalarAsync<DateTime?>(NextDue);
            return next is DateTime at ? Instant(at) : (DateTimeOffset?)null;
        }, cancellationToken);

    private static CallbackDelivery Map(Row r) => new(
        r.Id, r.TaskId, r.AccountId, r.Event, r.Url, (DeliveryState)r.State, r.Attempts,
        Instant(r.NextAttemptAt), r.Body, r.LastStatus, r.LastError,
        r.DeliveredAt is DateTime d ? Instant(d) : null,
        Instant(r.CreatedAt));

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string TaskId { get; set; } = "";
        public string AccountId { get; set; } = "";
        public string Event { get; set; } = "";
        public string Url { get; set; } = "";
        public int State { get; set; }
        public int Attempts { get; set; }
        public DateTime NextAttemptAt { get; set; }
        public string? Body { get; set; }
        public int? LastStatus { get; set; }
        public string? LastError { get; set; }
        public DateTime? DeliveredAt { get; set; }
        public DateTime CreatedAt { get; set; }
    }
}
