using Dapper;
using Easel.Core.Callbacks;

using static Easel.Storage.CallbackStatements;

namespace Easel.Storage.Sqlite;

/// <summary>The callback outbox. Claims and records are compare-and-set on (state, lease token), like tasks.</summary>
public sealed class SqliteCallbackStore(SqliteDatabase db) : ICallbackStore
{
    public Task<IReadOnlyList<DeliveryClaim>> ClaimDueAsync(DateTimeOffset now, TimeSpan leaseDuration, int max, CancellationToken cancellationToken) =>
        db.WriteAsync<IReadOnlyList<DeliveryClaim>>(async (c, tx) =>
        {
            var token = Guid.NewGuid().ToString("N");
            var rows = await c.QueryAsync<Row>(
                $"""
                UPDATE callback_deliveries SET lease_token = @token, lease_expires_at = @expires
                WHERE id IN (
                    SELECT id FROM callback_deliveries
                    WHERE state = {Pending} AND next_attempt_at <= @now AND (lease_expires_at IS NULL OR lease_expires_at < @now)
                    ORDER BY next_attempt_at LIMIT @max)
                RETURNING {DeliveryColumns}
                """,
                new { token, now = now.ToUnixTimeMilliseconds(), expires = (now + leaseDuration).ToUnixTimeMilliseconds(), max }, tx);
            return rows.Select(r => new DeliveryClaim(Map(r), token)).ToList();
        }, cancellationToken);

    public async Task<bool> RecordAsync(DeliveryClaim claim, DeliveryAttempt attempt, DateTimeOffset? retryAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(attempt);
        var state = StateAfter(attempt, retryAt);
        return await db.WriteAsync((c, tx) => c.ExecuteAsync(
            Record,
            new
            {
                id = claim.Delivery.Id,
                token = claim.Token,
                state = (int)state,
                attempt.Body,
                attempt.Status,
                attempt.Error,
                deliveredAt = attempt.Delivered ? attempt.At.ToUnixTimeMilliseconds() : (long?)null,
                next = (retryAt ?? attempt.At).ToUnixTimeMilliseconds(),
            }, tx), cancellationToken) == 1;
    }

    public async Task<bool> ReleaseAsync(DeliveryClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return await db.WriteAsync((c, tx) => c.ExecuteAsync(
            Release,
            new { id = claim.Delivery.Id, token = claim.Token }, tx), cancellationToken) == 1;
    }

    public Task<IReadOnlyList<CallbackDelivery>> ForTaskAsync(string taskId, CancellationToken cancellationToken) =>
        db.ReadAsync<IReadOnlyList<CallbackDelivery>>(async c =>
            (await c.QueryAsync<Row>(ForTask, new { taskId }))
                .Select(Map).ToList(), cancellationToken);

    public Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) =>
        db.ReadAsync(async c =>
        {
            var next = await c.ExecuteScalarAsync<long?>(NextDue);
            return next is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
        }, cancellationToken);

    private static CallbackDelivery Map(Row r) => new(
        r.Id, r.TaskId, r.AccountId, r.Event, r.Url, (DeliveryState)r.State, (int)r.Attempts,
        DateTimeOffset.FromUnixTimeMilliseconds(r.NextAttemptAt), r.Body, (int?)r.LastStatus, r.LastError,
        r.DeliveredAt is long d ? DateTimeOffset.FromUnixTimeMilliseconds(d) : null,
        DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt));

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string TaskId { get; set; } = "";
        public string AccountId { get; set; } = "";
        public string Event { get; set; } = "";
        public string Url { get; set; } = "";
        public long State { get; set; }
        public long Attempts { get; set; }
        public long NextAttemptAt { get; set; }
        public string? Body { get; set; }
        public long? LastStatus { get; set; }
        public string? LastError { get; set; }
        public long? DeliveredAt { get; set; }
        public long CreatedAt { get; set; }
    }
}
