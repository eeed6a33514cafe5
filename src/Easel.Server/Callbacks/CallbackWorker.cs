using Easel.Core.Callbacks;
using Easel.Core.Tasks;
using Easel.Server.Health;

namespace Easel.Server.Callbacks;

/// <summary>
/// Keeps up to Concurrency callbacks in flight: first the deliveries handed over in memory by the transactions
/// that created them, then due ones claimed from the store (retries, and those of a node that died); wakes at once
/// when a task finishes with a callback, and otherwise sleeps until the next retry falls due (at most a second,
/// so deliveries written by other nodes are seen too).
/// On a graceful stop it claims nothing more, lets the attempts in flight finish (each is bounded by
/// Callbacks:Timeout) and gives back the claims it had not started, so they are due at once at the next start.
/// </summary>
internal sealed class CallbackWorker(
    CallbackDispatcher dispatcher,
    CallbackHandoff handedOff,
    CallbackSignal signal,
    CallbackOptions options,
    WorkerStates states,
    ILogger<CallbackWorker> logger) : BackgroundService, IHostedLifecycleService
{
    private static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        states.Report(WorkerStates.Callbacks, WorkerState.Running);
        using var slots = new SemaphoreSlim(options.Concurrency, options.Concurrency);
        var inFlight = new List<Task>();
        var carried = new List<DeliveryClaim>();
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
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    // Stopping while claiming: the handed-over claims already taken go to the last round below.
                    carried = claims;
                    slots.Release(free);
                    throw;
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
                // Attempts do not observe stoppingToken: one cut off mid-request would be sent again after restart.
                inFlight.AddRange(claims.Select(claim => AttemptAndReleaseAsync(claim, slots)));
                if (claims.Count == 0)
                {
                    await signal.WaitAsync(await SleepAsync(stoppingToken), stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: claim nothing more; flush below.
        }
        catch (Exception e)
        {
            states.Report(WorkerStates.Callbacks, WorkerState.Faulted);
            logger.LogCritical(e, "The callback worker stopped because of an unexpected error");
            throw;
        }
        states.Report(WorkerStates.Callbacks, WorkerState.Stopping);
        await FlushAsync(slots, inFlight, carried);
        states.Report(WorkerStates.Callbacks, WorkerState.Stopped);
    }

    // Callbacks of tasks that finished in the grace period may be handed over but not yet taken: one last round, as
    // many as there are free slots, is sent now rather than after a restart. Like the attempts already in flight,
    // each is bounded by Callbacks:Timeout. Whatever is left is given back to the outbox.
    private async Task FlushAsync(SemaphoreSlim slots, List<Task> inFlight, List<DeliveryClaim> carried)
    {
        var free = 0;
        while (free < options.Concurrency && slots.Wait(0, CancellationToken.None))
        {
            free++;
        }
        var lastRound = carried.Take(free).ToList();
        lastRound.AddRange(handedOff.TakeUpTo(free - lastRound.Count));
        if (free > lastRound.Count)
        {
            slots.Release(free - lastRound.Count);
        }
        inFlight.AddRange(lastRound.Select(claim => AttemptAndReleaseAsync(claim, slots)));
        await Task.WhenAll(inFlight);
        await GiveBackAsync([.. carried.Skip(free)]);
    }

    // Deliveries created by this node's last transactions arrive already claimed; unattempted, their claims would
    // hold them back until they expire. Given back, they wait in the outbox, due at once for the next start.
    private async Task GiveBackAsync(List<DeliveryClaim> unattempted)
    {
        for (var batch = handedOff.TakeUpTo(100); batch.Count > 0; batch = handedOff.TakeUpTo(100))
        {
            unattempted.AddRange(batch);
        }
        var given = 0;
        foreach (var claim in unattempted)
        {
            given += await dispatcher.ReleaseAsync(claim, CancellationToken.None) ? 1 : 0;
        }
        if (given > 0)
        {
            logger.LogInformation("Stopping: {Count} callbacks not yet attempted stay in the outbox for the next start", given);
        }
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

    private async Task AttemptAndReleaseAsync(DeliveryClaim claim, SemaphoreSlim slots)
    {
        try
        {
            await Task.Yield();
            await dispatcher.AttemptAsync(claim, CancellationToken.None);
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

    // Runs before the web server stops, and after the task worker has drained (it is registered before the task
    // worker, and the host stops in reverse order): callbacks of tasks that finish in the grace period are still sent.
    public Task StoppingAsync(CancellationToken cancellationToken) => StopAsync(cancellationToken);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
