using Easel.Core.Callbacks;
using Easel.Core.Tasks;
using Easel.Server.Health;

namespace Easel.Server.Callbacks;

/// <summary>
/// Keeps up to Concurrency callbacks in flight: the deliveries handed over in memory by the transactions that
/// created them, and due ones claimed from the store (retries, and those of a node that died). A handed-over
/// delivery starts at once on the thread that committed its task's end when a slot is free (no wake-up, no trip
/// through the thread pool's queue); otherwise it waits for this worker, or for the next attempt to finish, which
/// passes its slot on, due deliveries from the store (retries) first. The worker asks the store when a retry falls
/// due, and at least every second (deliveries of other nodes). Before this shape, the worker woke per hand-over and held every free slot while asking the store
/// (a write, queued behind the task transitions): a burst of 1,000 cancels saw p99 80-160 ms from task end to
/// callback; now about 10-20 ms (docs/PERFORMANCE.md).
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

    // A slot per send in flight, whoever started it. Never disposed: a claim handed over while stopping may still
    // try one.
    private readonly SemaphoreSlim _slots = new(options.Concurrency, options.Concurrency);

    // Due deliveries claimed from the store (retries, expired claims) and not yet started: they go before the
    // hand-overs, so a burst of new callbacks cannot hold a retry back past its claim.
    private readonly System.Collections.Concurrent.ConcurrentQueue<DeliveryClaim> _due = new();

    // When the worker next asks the store for due deliveries (UTC ticks).
    private long _askStoreAt = DateTimeOffset.MaxValue.UtcTicks;

    // Attempts started and not yet recorded, plus one held by the worker until it stops: the stop waits for zero.
    // Every change is an Interlocked operation (a full fence), so a start racing the stop either is counted before
    // the count can reach zero or sees _closed and backs out.
    private int _unrecorded = 1;
    private volatile bool _closed;
    private readonly TaskCompletionSource _allRecorded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        states.Report(WorkerStates.Callbacks, WorkerState.Running);
        handedOff.StartWith(TryStartNow);
        // The store is asked for due deliveries at start, when a retry falls due, and at least every MaxSleep (for
        // other nodes' deliveries), never per hand-over: each ask is a write, and in the embedded mode every write
        // waits for SQLite's one writer, behind the very task transitions that hand deliveries over.
        AskStoreBy(DateTimeOffset.MinValue);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await StartWaitingAsync(stoppingToken);
                if (DateTimeOffset.UtcNow.UtcTicks >= Volatile.Read(ref _askStoreAt))
                {
                    // Set before asking: a retry recorded meanwhile lowers it again.
                    Volatile.Write(ref _askStoreAt, DateTimeOffset.MaxValue.UtcTicks);
                    try
                    {
                        if (await ClaimDueAsync(stoppingToken))
                        {
                            AskStoreBy(DateTimeOffset.MinValue); // as many as asked for: there may be more
                        }
                        else
                        {
                            AskStoreBy(DateTimeOffset.UtcNow + await SleepAsync(stoppingToken));
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        logger.LogError(e, "Claiming callbacks failed; retrying in {Interval}", MaxSleep);
                        AskStoreBy(DateTimeOffset.UtcNow + MaxSleep);
                    }
                    continue;
                }
                var sleep = TimeSpan.FromTicks(Volatile.Read(ref _askStoreAt) - DateTimeOffset.UtcNow.UtcTicks);
                await signal.WaitAsync(sleep < TimeSpan.Zero ? TimeSpan.Zero : sleep > MaxSleep ? MaxSleep : sleep, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: claim nothing more; flush below.
        }
        catch (Exception e)
        {
            handedOff.StartWith(null);
            states.Report(WorkerStates.Callbacks, WorkerState.Faulted);
            logger.LogCritical(e, "The callback worker stopped because of an unexpected error");
            throw;
        }
        states.Report(WorkerStates.Callbacks, WorkerState.Stopping);
        await FlushAsync();
        states.Report(WorkerStates.Callbacks, WorkerState.Stopped);
    }

    // Brings the next ask of the store forward to the given time, if it is later.
    private void AskStoreBy(DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        for (var current = Volatile.Read(ref _askStoreAt); ticks < current; current = Volatile.Read(ref _askStoreAt))
        {
            if (Interlocked.CompareExchange(ref _askStoreAt, ticks, current) == current)
            {
                return;
            }
        }
    }

    // The next claim waiting for a slot: due ones from the store first, then hand-overs that found none free.
    private DeliveryClaim? TakeWaiting() =>
        _due.TryDequeue(out var due) ? due : handedOff.TakeUpTo(1) is [var handed] ? handed : null;

    // Waiting claims, each as soon as a slot is free; back to the loop when the store is due to be asked. A slot is
    // taken before the claim, so a hand-over arriving meanwhile can still start on its own thread.
    private async Task StartWaitingAsync(CancellationToken stoppingToken)
    {
        while ((!_due.IsEmpty || handedOff.Count > 0) && DateTimeOffset.UtcNow.UtcTicks < Volatile.Read(ref _askStoreAt))
        {
            if (!await _slots.WaitAsync(MaxSleep, stoppingToken))
            {
                continue; // every slot busy for a second: look whether the store is due meanwhile
            }
            if (TakeWaiting() is { } claim)
            {
                Start(claim, fromWorker: true);
            }
            else
            {
                _slots.Release();
            }
        }
    }

    // Due deliveries from the store (retries, and those whose claim expired), as many as there are free slots; true
    // when that many were due. They wait in _due for a slot, ahead of every hand-over.
    private async Task<bool> ClaimDueAsync(CancellationToken stoppingToken)
    {
        var wanted = Math.Max(1, _slots.CurrentCount);
        var claims = await dispatcher.ClaimDueAsync(wanted, stoppingToken);
        foreach (var claim in claims)
        {
            _due.Enqueue(claim);
        }
        return claims.Count == wanted;
    }

    // Called by the store right after a terminal transition commits, on the committing thread.
    private bool TryStartNow(DeliveryClaim claim)
    {
        if (!_slots.Wait(0, CancellationToken.None))
        {
            return false;
        }
        Interlocked.Increment(ref _unrecorded);
        if (_closed)
        {
            // The stop has begun: the claim is queued and given back instead.
            Unrecorded();
            _slots.Release();
            return false;
        }
        Run(claim, fromWorker: false);
        return true;
    }

    // Starts an attempt holding a slot, counted until it is recorded.
    private void Start(DeliveryClaim claim, bool fromWorker)
    {
        Interlocked.Increment(ref _unrecorded);
        Run(claim, fromWorker);
    }

    // Attempts do not observe the stopping token: one cut off mid-request would be sent again after restart. They
    // run outside the starter's execution context: an attempt outlives the request that finished its task and must
    // not log under that request's scope.
    private void Run(DeliveryClaim claim, bool fromWorker)
    {
        if (ExecutionContext.IsFlowSuppressed())
        {
            _ = AttemptAndReleaseAsync(claim, fromWorker);
            return;
        }
        using (ExecutionContext.SuppressFlow())
        {
            _ = AttemptAndReleaseAsync(claim, fromWorker);
        }
    }

    private void Unrecorded()
    {
        if (Interlocked.Decrement(ref _unrecorded) == 0)
        {
            _allRecorded.TrySetResult();
        }
    }

    // Callbacks of tasks that finished in the grace period may be waiting for a slot: one last round, as many as
    // there are free slots, is sent now rather than after a restart. Like the attempts already in flight, each is
    // bounded by Callbacks:Timeout. Whatever is left is given back to the outbox.
    private async Task FlushAsync()
    {
        _closed = true;
        handedOff.StartWith(null);
        var free = 0;
        while (free < options.Concurrency && _slots.Wait(0, CancellationToken.None))
        {
            free++;
        }
        var started = 0;
        for (; started < free && TakeWaiting() is { } claim; started++)
        {
            Start(claim, fromWorker: true);
        }
        if (free > started)
        {
            _slots.Release(free - started);
        }
        // The worker's own count: zero once every attempt, however started, has been recorded.
        Unrecorded();
        await _allRecorded.Task;
        await GiveBackAsync();
    }

    // Deliveries created by this node's last transactions arrive already claimed; unattempted, their claims would
    // hold them back until they expire. Given back, they wait in the outbox, due at once for the next start.
    private async Task GiveBackAsync()
    {
        var unattempted = new List<DeliveryClaim>();
        while (TakeWaiting() is { } claim)
        {
            unattempted.Add(claim);
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

    // The slot bounds requests in flight, so it is given back once the answer is in, before the record: that waits
    // for the database's writer with everyone else, and holding slots through it starved the sends during bursts.
    private async Task AttemptAndReleaseAsync(DeliveryClaim claim, bool fromWorker)
    {
        var released = false;
        try
        {
            if (fromWorker)
            {
                // Off the worker's loop, which goes on to start the rest of its round.
                await Task.Yield();
            }
            var sent = await dispatcher.SendAsync(claim, CancellationToken.None);
            // The slot goes straight to a claim waiting for one, if any (a retry first): that starts now, not when
            // the worker is next scheduled.
            if (!_closed && TakeWaiting() is { } next)
            {
                Start(next, fromWorker: false);
            }
            else
            {
                _slots.Release();
            }
            released = true;
            await dispatcher.RecordAsync(sent);
            if (sent.RetryAt is { } retryAt)
            {
                // The worker may be asleep past it: it learns of the retry here, not a second late.
                AskStoreBy(retryAt);
                signal.Notify();
            }
        }
        catch (Exception e)
        {
            // The store failed while rendering or recording: the claim expires and the delivery is attempted again.
            logger.LogError(e, "Callback {DeliveryId} could not be attempted; it will be retried when its claim expires", claim.Delivery.Id);
        }
        finally
        {
            if (!released)
            {
                _slots.Release();
            }
            Unrecorded();
        }
    }

    // Runs before the web server stops, and after the task worker has drained (it is registered before the task
    // worker, and the host stops in reverse order): callbacks of tasks that finish in the grace period are still sent.
    public Task StoppingAsync(CancellationToken cancellationToken) => StopAsync(cancellationToken);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // After the web server has stopped: a cancel answered during the flush may have handed a claim over since; it is
    // given back too, rather than held until its claim expires.
    public Task StoppedAsync(CancellationToken cancellationToken) => GiveBackAsync();
}
