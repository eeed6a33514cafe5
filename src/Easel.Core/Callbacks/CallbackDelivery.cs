namespace Easel.Core.Callbacks;

public enum DeliveryState { Pending = 0, Delivered = 1, Failed = 2 }

/// <summary>
/// One callback of one task, as the outbox holds it. Written in the transaction that finished the task, so a
/// finished task with a callback URL always has one, and no crash can lose it.
/// </summary>
/// <param name="Body">The exact bytes sent, fixed at the first attempt so every retry is byte-identical.</param>
public sealed record CallbackDelivery(
    string Id,
    string TaskId,
    string AccountId,
    string Event,
    string Url,
    DeliveryState State,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    string? Body,
    int? LastStatus,
    string? LastError,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset CreatedAt)
{
    /// <summary>The task's trace context, copied into the outbox row with the terminal state, so each attempt's span joins the task's trace.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>A claim on a due delivery: only its holder records the attempt.</summary>
public sealed record DeliveryClaim(CallbackDelivery Delivery, string Token);

/// <summary>What one attempt came to.</summary>
public sealed record DeliveryAttempt(bool Delivered, int? Status, string? Error, string Body, DateTimeOffset At);

public static class CallbackEvents
{
    public const string Completed = "task.completed";
    public const string Failed = "task.failed";
    public const string Cancelled = "task.cancelled";
}

/// <summary>
/// Deliveries claimed by the transaction that created them, handed to this node's dispatcher in memory after the
/// commit: the first attempt needs no further write. When the dispatcher has a free slot, it starts the attempt at
/// once on the caller's thread; otherwise the claim waits here for the dispatcher's worker. If the node dies first,
/// the claim expires and the row is claimed again from the store.
/// </summary>
public sealed class CallbackHandoff(Tasks.CallbackSignal signal)
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<DeliveryClaim> _claims = new();
    private volatile Func<DeliveryClaim, bool>? _startNow;

    /// <summary>
    /// Lets the dispatcher start handed-over attempts itself (true: started; false: no slot free, queue it), or stop
    /// doing so (null): from then on every claim is queued.
    /// </summary>
    public void StartWith(Func<DeliveryClaim, bool>? startNow) => _startNow = startNow;

    public void Handoff(DeliveryClaim claim)
    {
        if (_startNow?.Invoke(claim) == true)
        {
            return;
        }
        _claims.Enqueue(claim);
        signal.Notify();
    }

    /// <summary>Claims waiting for the dispatcher's worker.</summary>
    public int Count => _claims.Count;

    public List<DeliveryClaim> TakeUpTo(int max)
    {
        var taken = new List<DeliveryClaim>();
        while (taken.Count < max && _claims.TryDequeue(out var claim))
        {
            taken.Add(claim);
        }
        return taken;
    }
}

public interface ICallbackStore
{
    /// <summary>Claims up to <paramref name="max"/> deliveries that are due (or whose claim expired), oldest first.</summary>
    Task<IReadOnlyList<DeliveryClaim>> ClaimDueAsync(DateTimeOffset now, TimeSpan leaseDuration, int max, CancellationToken cancellationToken);

    /// <summary>Records an attempt: delivered, or failed with the next attempt at <paramref name="retryAt"/> (null: given up).</summary>
    Task<bool> RecordAsync(DeliveryClaim claim, DeliveryAttempt attempt, DateTimeOffset? retryAt, CancellationToken cancellationToken);

    /// <summary>
    /// Gives up a claim without attempting (a graceful stop): the delivery is due again at once for any node, rather
    /// than after the claim expires. False when the claim is no longer held.
    /// </summary>
    Task<bool> ReleaseAsync(DeliveryClaim claim, CancellationToken cancellationToken);

    Task<IReadOnlyList<CallbackDelivery>> ForTaskAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>When the next pending delivery falls due, if any.</summary>
    Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken);
}
