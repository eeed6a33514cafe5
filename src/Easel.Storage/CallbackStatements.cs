using Easel.Core.Callbacks;

namespace Easel.Storage;

/// <summary>What the SQLite and PostgreSQL callback outboxes say alike; each store converts instants its own way.</summary>
internal static class CallbackStatements
{
    public const string DeliveryColumns =
        "id, task_id, account_id, event, url, state, attempts, next_attempt_at, body, last_status, last_error, delivered_at, created_at";

    public const int Pending = (int)DeliveryState.Pending;

    /// <summary>
    /// Records an attempt under the claim that made it (compare-and-set on state and lease token). Parameters: @id,
    /// @token, @state, @Body, @Status, @Error, @deliveredAt, @next.
    /// </summary>
    public static readonly string Record =
        $"""
        UPDATE callback_deliveries
        SET state = @state, attempts = attempts + 1, body = @Body, last_status = @Status, last_error = @Error,
            delivered_at = @deliveredAt, next_attempt_at = @next, lease_token = NULL, lease_expires_at = NULL
        WHERE id = @id AND lease_token = @token AND state = {Pending}
        """;

    /// <summary>Gives a claim back unattempted (a graceful stop): due again at once for any node.</summary>
    public static readonly string Release =
        $"UPDATE callback_deliveries SET lease_token = NULL, lease_expires_at = NULL WHERE id = @id AND lease_token = @token AND state = {Pending}";

    /// <summary>
    /// When the next pending delivery can be claimed: its next attempt, or the end of a live claim on it if later (a
    /// delivery being sent is pending too; asked for as due, it would have the worker ask again at once).
    /// </summary>
    public static readonly string NextDue =
        $"SELECT MIN(CASE WHEN lease_expires_at > next_attempt_at THEN lease_expires_at ELSE next_attempt_at END) FROM callback_deliveries WHERE state = {Pending}";

    public static readonly string ForTask = $"SELECT {DeliveryColumns} FROM callback_deliveries WHERE task_id = @taskId ORDER BY created_at";

    /// <summary>Delivered, given up (no retry left), or pending again at the retry time.</summary>
    public static DeliveryState StateAfter(DeliveryAttempt attempt, DateTimeOffset? retryAt) =>
        attempt.Delivered ? DeliveryState.Delivered : retryAt is null ? DeliveryState.Failed : DeliveryState.Pending;
}
