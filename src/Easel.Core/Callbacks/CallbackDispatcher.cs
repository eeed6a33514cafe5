using System.Globalization;
using Easel.Core.Accounts;
using Easel.Core.Observability;
using Easel.Core.Outbound;
using Easel.Core.Tasks;
using Microsoft.Extensions.Logging;

namespace Easel.Core.Callbacks;

/// <summary>
/// Sends due callbacks: body rendered once, signed per attempt, POSTed through the guarded client; 2xx is
/// delivered, anything else (or no answer) is retried on the schedule and then given up, every attempt recorded.
/// At-least-once point: a node that dies between sending and recording sends again after the claim expires;
/// receivers de-duplicate by Easel-Delivery-Id.
/// </summary>
public sealed class CallbackDispatcher(
    ICallbackStore store,
    ITaskStore tasks,
    IAccountStore accounts,
    IOutboundClient outbound,
    ICallbackRenderer renderer,
    CallbackOptions options,
    EaselMetrics metrics,
    TimeProvider time,
    ILogger<CallbackDispatcher> logger)
{
    /// <summary>Claims up to <paramref name="max"/> deliveries that are due now.</summary>
    public Task<IReadOnlyList<DeliveryClaim>> ClaimDueAsync(int max, CancellationToken cancellationToken) =>
        store.ClaimDueAsync(time.GetUtcNow(), options.LeaseDuration, max, cancellationToken);

    /// <summary>When to look again if nothing is due: the next retry, or never (a new delivery signals).</summary>
    public Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken) => store.NextDueAsync(cancellationToken);

    /// <summary>Gives a claim back unattempted (the node is stopping), so the delivery is due again at once.</summary>
    public Task<bool> ReleaseAsync(DeliveryClaim claim, CancellationToken cancellationToken) => store.ReleaseAsync(claim, cancellationToken);

    /// <summary>
    /// Sends one attempt of one claimed delivery. What it came to must then be recorded (<see cref="RecordAsync"/>):
    /// split, so a caller bounding the requests in flight need not count the record's wait for the database.
    /// </summary>
    public async Task<SentAttempt> SendAsync(DeliveryClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var delivery = claim.Delivery;
        var body = delivery.Body ?? await RenderAsync(delivery, cancellationToken);
        var account = await accounts.GetAsync(delivery.AccountId, cancellationToken);
        int? status = null;
        string? error = null;
        var refused = false;
        using var span = EaselTracing.StartCallback(delivery.Id, delivery.TaskId, delivery.Attempts + 1, delivery.TraceParent);
        try
        {
            var now = time.GetUtcNow();
            var seconds = now.ToUnixTimeSeconds();
            var secret = account?.Account.WebhookSecret ?? "";
            // Easel's own headers, unchanged for today's receivers, and the Standard Webhooks ones (same secret, same
            // instant) for off-the-shelf verifiers: the message id is the delivery id, so it too is the same on every retry.
            var headers = new Dictionary<string, string>
            {
                ["Easel-Delivery-Id"] = delivery.Id,
                ["Easel-Event"] = delivery.Event,
                ["Easel-Signature"] = CallbackSignature.Sign(secret, seconds, body),
                ["webhook-id"] = delivery.Id,
                ["webhook-timestamp"] = seconds.ToString(CultureInfo.InvariantCulture),
                ["webhook-signature"] = StandardWebhookSignature.Sign(secret, delivery.Id, seconds, body),
            };
            status = await outbound.PostJsonAsync(new Uri(delivery.Url), body, headers, options.Timeout, cancellationToken);
            if (status is < 200 or >= 300)
            {
                error = $"the receiver answered HTTP {status}";
            }
        }
        catch (OutboundException e)
        {
            error = e.Message;
            refused = e.AddressRefused;
        }
        span?.SetTag("http.response.status_code", status);
        EaselTracing.Failed(span, error);
        span?.Stop(); // the send's span ends with the send, not with the bookkeeping below
        var delivered = error is null;
        var attempts = delivery.Attempts + 1;
        DateTimeOffset? retryAt = delivered || attempts > options.RetryDelays.Count
            ? null
            : time.GetUtcNow() + options.RetryDelays[attempts - 1];
        metrics.CallbackAttempted(delivered ? CallbackOutcome.Delivered
            : refused ? CallbackOutcome.RefusedAddress
            : retryAt is null ? CallbackOutcome.GaveUp
            : CallbackOutcome.FailedWillRetry);
        if (!delivered)
        {
            logger.LogInformation("Callback {DeliveryId} of task {TaskId}: attempt {Attempt} failed ({Error}){Next}",
                delivery.Id, delivery.TaskId, attempts, error, retryAt is null ? "; giving up" : $"; retrying at {retryAt:O}");
        }
        return new SentAttempt(claim, new DeliveryAttempt(delivered, status, error, body, time.GetUtcNow()), retryAt);
    }

    /// <summary>Records a sent attempt: delivered, or failed with its next attempt due at its retry time (none: given up).</summary>
    public async Task RecordAsync(SentAttempt sent)
    {
        ArgumentNullException.ThrowIfNull(sent);
        var recorded = await store.RecordAsync(sent.Claim, sent.Attempt, sent.RetryAt, CancellationToken.None);
        if (!recorded)
        {
            logger.LogWarning("Callback {DeliveryId}: the claim expired before the attempt was recorded; it may be sent again", sent.Claim.Delivery.Id);
        }
    }

    private async Task<string> RenderAsync(CallbackDelivery delivery, CancellationToken cancellationToken)
    {
        var task = await tasks.GetAsync(delivery.TaskId, cancellationToken)
            ?? throw new InvalidOperationException($"delivery {delivery.Id} names task {delivery.TaskId}, which does not exist");
        return renderer.Render(task);
    }
}

/// <summary>An attempt sent and not yet recorded, with the next attempt's time (null: delivered or given up).</summary>
public sealed record SentAttempt(DeliveryClaim Claim, DeliveryAttempt Attempt, DateTimeOffset? RetryAt);
