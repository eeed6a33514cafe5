using Easel.Core.Callbacks;
using Easel.Core.Tasks;

namespace Easel.Server.Callbacks;

/// <summary>
/// Keeps up to Concurrency callbacks in flight: first the deliveries handed over in memory by the transactions
/// that created them, then due ones claimed from the store (retries, and those of a node that died); wakes at once
/// when a task finishes with a callback, and otherwise sleeps until the next retry falls due (at most a second,
/// so deliveries written by other nodes are seen too).
/// </summary>
internal sealed class CallbackWorker(CallbackDispatcher dispatcher, CallbackHandoff handedOff, CallbackSignal signal, CallbackOptions options, ILogger<CallbackWorker> logger)
    : BackgroundService
{
    private static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(options.Concurrency, options.Concurrency);
        var inFlight = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken);
                var free = 1;
                while (free < options.Concurrency && slots.Wait(0, CancellationToken.None))
                {
                    free++;
                }
                // Deliveries handed over by the transactions that created them go first: they need no claim.
                var claims = handedOff.TakeUpTo(free);
                try
                {
                    if (claims.Count < free)
                    {
                        claims.AddRange(await dispatcher.ClaimDueAsync(free - claims.Count, stoppingToken));
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    slots.Release(free);
                    logger.LogError(e, "Claiming callbacks failed; retrying in {Interval}", MaxSleep);
                    await Task.Delay(MaxSleep, stoppingToken);
                    continue;
                }
                if (claims.Count < free)
                {
                    slots.Release(free - claims.Count);
                }
                inFlight.RemoveAll(t => t.IsCompleted);
                inFlight.AddRange(claims.Select(claim => AttemptAndReleaseAsync(claim, slots, stoppingToken)));
                if (claims.Count == 0)
                {
                    await signal.WaitAsync(await SleepAsync(stoppingToken), stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is in flight finishes or, cut off, is claimed again after its lease.
        }
        await Task.WhenAll(inFlight);
    }

    private async Task<TimeSpan> SleepAsync(CancellationToken cancellationToken)
    {
        var next = await dispatcher.NextDueAsync(cancellationToken);
        if (next is null)
        {
            return MaxSleep;
        }
        var wait = next.Value - DateTimeOffset.UtcNow;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxSleep ? MaxSleep : wait;
    }

    private async Task AttemptAndReleaseAsync(DeliveryClaim claim, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Yield();
            await dispatcher.AttemptAsync(claim, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The store failed while recording: the claim expires and the delivery is attempted again.
            logger.LogError(e, "Callback {DeliveryId} could not be attempted; it will be retried when its claim expires", claim.Delivery.Id);
        }
        finally
        {
            slots.Release();
        }
    }
}
