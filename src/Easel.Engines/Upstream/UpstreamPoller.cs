using System.Collections.Concurrent;
using Easel.Core.Blobs;
using Easel.Core.Engines.Upstream;
using Easel.Core.Models;
using Easel.Core.Observability;
using Easel.Core.Tasks;
using Microsoft.Extensions.Logging;

namespace Easel.Engines.Upstream;

/// <summary>
/// Waits on this node's upstream jobs without a thread or worker slot each (API.md section 10): asks the store for the
/// jobs whose poll is due, polls them (a bounded number at once), and records what each answer means: the next poll
/// and raised progress, or the task completed with its results re-hosted, or failed. It renews the leases of all its
/// waiting tasks in one statement, so a node that dies loses them to others when their leases expire; the node that
/// claims one resumes it from what is recorded (<see cref="UpstreamJobs.ResumeAsync"/>).
/// A wake-up only moves a job's next poll to now (any node, through the store) and pokes this loop.
/// Every record is a compare-and-set under the task's lease: a cancel, a timeout or another node's claim in between
/// makes the write a no-op, so a result is recorded once whatever duplicates arrive.
/// </summary>
public sealed class UpstreamPoller(
    UpstreamEngines engines,
    IUpstreamJobStore jobs,
    UpstreamJobs submissions,
    ITaskStore store,
    ResultRehosting rehosting,
    WebhookDeliveries deliveries,
    UpstreamSignal signal,
    EngineLoad load,
    UpstreamMetrics metrics,
    EaselMetrics taskMetrics,
    TaskRunnerOptions options,
    TimeProvider time,
    ILogger<UpstreamPoller> logger)
{
    /// <summary>Due jobs read per query; more are read as soon as these are dispatched.</summary>
    private const int BatchSize = 256;

    /// <summary>Polls in flight at once on this node.</summary>
    private const int Concurrency = 32;

    /// <summary>The longest the loop sleeps: wake-ups recorded by other nodes and new due times are seen within it.</summary>
    private static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(10);

    /// <summary>After a fault of ours while polling a job, the pause before it is polled again.</summary>
    private static readonly TimeSpan FaultPause = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, byte> _inFlight = new(StringComparer.Ordinal);

    // When each recent poll ended (timestamps), to skip a job in a read that started before its poll was recorded.
    private readonly ConcurrentDictionary<string, long> _polledAt = new(StringComparer.Ordinal);

    private void ForgetPollsBefore(long timestamp)
    {
        if (_polledAt.Count < 1024)
        {
            return;
        }
        foreach (var (taskId, at) in _polledAt)
        {
            if (at < timestamp)
            {
                _polledAt.TryRemove(taskId, out _);
            }
        }
    }

    /// <summary>The loop, and beside it the renewal of this node's waiting leases; nothing at all when <paramref name="idle"/> (no upstream engines).</summary>
    public async Task RunAsync(string nodeId, CancellationToken stopping, bool idle = false)
    {
        if (idle)
        {
            return;
        }
        // On its own timer: polls that hang on a slow upstream must never let the leases lapse, or other nodes (and this
        // one's worker) would claim tasks that are still being waited on.
        var renewal = RenewLeasesAsync(nodeId, stopping);
        using var slots = new SemaphoreSlim(Concurrency, Concurrency);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                // Read only as many due jobs as can start now (plus those being polled, which still read as due): a job
                // read long before its turn could finish meanwhile and be polled again from the stale read.
                await slots.WaitAsync(stopping);
                slots.Release();
                var limit = Math.Min(BatchSize, slots.CurrentCount + _inFlight.Count);
                var readAt = time.GetTimestamp();
                var due = await jobs.DueAsync(nodeId, time.GetUtcNow(), limit, stopping);
                ForgetPollsBefore(readAt);
                var started = 0;
                foreach (var job in due)
                {
                    if (!slots.Wait(0))
                    {
                        break;
                    }
                    // A poll that ended while this read was under way: the read may predate its record.
                    if ((_polledAt.TryGetValue(job.Lease.TaskId, out var polledAt) && polledAt >= readAt) || !_inFlight.TryAdd(job.Lease.TaskId, 0))
                    {
                        slots.Release();
                        continue;
                    }
                    started++;
                    _ = PollAndReleaseAsync(job, slots, stopping);
                }
                if (started > 0 && due.Count == limit)
                {
                    continue;
                }
                var next = await jobs.NextDueAsync(nodeId, stopping);
                var wait = next is { } at ? at - time.GetUtcNow() : MaxIdle;
                // Due jobs all in flight: wait for one of them to finish (it signals) rather than spin.
                await signal.WaitAsync(wait < MinimumWait ? MinimumWait : wait > MaxIdle ? MaxIdle : wait, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The store is unreachable: the jobs stay recorded and waiting; the renewal keeps trying on its own.
                logger.LogError(e, "The upstream poller failed a round; retrying in {Interval}", MaxIdle);
                await DelayAsync(MaxIdle, stopping);
            }
        }
        // Polls in flight finish (each is bounded by its request timeout) before the node lets go of its store.
        for (var i = 0; i < Concurrency; i++)
        {
            await slots.WaitAsync(CancellationToken.None);
        }
        await renewal;
    }

    private async Task RenewLeasesAsync(string nodeId, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await jobs.RenewWaitingLeasesAsync(nodeId, time.GetUtcNow(), options.LeaseDuration, stopping);
                var beforeRead = load.BeforeRead();
                load.Refresh(await jobs.WaitingByEngineAsync(nodeId, stopping), beforeRead);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Renewing the leases of this node's upstream jobs failed; retrying");
            }
            await DelayAsync(options.LeaseDuration / 3, stopping);
        }
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, time, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: the caller's loop ends.
        }
    }

    private async Task PollAndReleaseAsync(WaitingJob job, SemaphoreSlim slots, CancellationToken stopping)
    {
        try
        {
            await PollAsync(job, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: the job stays as recorded; the next start (or another node) polls it again.
        }
        catch (Exception e)
        {
            // A fault of ours (the store, the blob store): logged, and the job is polled again after a pause rather
            // than at once, so a lasting fault does not become a busy loop.
            logger.LogError(e, "Polling task {TaskId} failed; it will be polled again", job.Lease.TaskId);
            try
            {
                await jobs.ScheduleAsync(job.Lease, time.GetUtcNow() + FaultPause, job.Progress, job.Job.Wakes, CancellationToken.None);
            }
            catch (Exception again)
            {
                logger.LogError(again, "Rescheduling task {TaskId} failed too", job.Lease.TaskId);
            }
        }
        finally
        {
            _polledAt[job.Lease.TaskId] = time.GetTimestamp();
            _inFlight.TryRemove(job.Lease.TaskId, out _);
            slots.Release();
            signal.Notify();
        }
    }

    /// <summary>How long after TaskTimeout the poller gives up a job whose protocol ends it at TaskTimeout itself.</summary>
    private static readonly TimeSpan BackstopGrace = TimeSpan.FromSeconds(30);

    /// <summary>One poll of one job and what it means; public for the tests, which drive it without the loop.</summary>
    public async Task PollAsync(WaitingJob waiting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        var (lease, job) = (waiting.Lease, waiting.Job);
        var engine = engines.Find(job.Engine);
        if (engine is null)
        {
            await FailAsync(waiting, new TaskFailure(FailureKind.ServiceError,
                $"The task waits on engine '{job.Engine}', which is no longer configured; its state there is unknown"), "engine_gone");
            return;
        }
        var name = engine.Descriptor.Name;
        var submittedAt = job.SubmittedAt ?? time.GetUtcNow();
        // A wake-up recorded since the job was read (while the poll is out) is kept by the schedule below: it may bring
        // what this poll missed.
        var wakesSeen = job.Wakes;

        PollAnswer answer;
        using (var span = UpstreamTracing.Start("poll", name, lease.TaskId))
        {
            // An engine whose results come by webhook has nothing to ask: its recorded delivery is the answer.
            answer = engine.Protocol is IDeliversByWebhook byWebhook
                ? await deliveries.ReadAsync(job, byWebhook, cancellationToken)
                : await engine.Protocol.PollAsync(job.UpstreamId!, cancellationToken);
            span?.SetTag("easel.upstream.outcome", answer.GetType().Name.ToLowerInvariant());
        }
        // Polled first, so a job that finished just before its deadline is kept; only one still going is given up.
        var deadline = engine.Descriptor.TaskTimeout + (engine.Protocol.EnforcesTaskTimeout ? BackstopGrace : TimeSpan.Zero);
        if (answer is PollAnswer.Running or PollAnswer.Unreachable && time.GetUtcNow() - submittedAt > deadline)
        {
            await engine.CancelQuietlyAsync(job.UpstreamId!, lease.TaskId, metrics, logger);
            await FailAsync(waiting, new TaskFailure(FailureKind.Timeout,
                $"The upstream engine did not finish the task within {engine.Descriptor.TaskTimeout.TotalMinutes:0.#} minutes"), "timeout", submittedAt);
            return;
        }
        switch (answer)
        {
            case PollAnswer.Running when engine.Protocol is IDeliversByWebhook:
                // Nothing to poll until the delivery comes (it moves the poll to now) or the task's time is up.
                metrics.Polled(name, "running");
                await jobs.ScheduleAsync(lease, submittedAt + engine.Descriptor.TaskTimeout + TimeSpan.FromSeconds(1), waiting.Progress, wakesSeen, cancellationToken);
                break;
            case PollAnswer.Running running:
                metrics.Polled(name, "running");
                await jobs.ScheduleAsync(lease, engine.Polling.Next(submittedAt, time.GetUtcNow(), running.Remaining),
                    Math.Clamp(running.Progress, 0, 99), wakesSeen, cancellationToken);
                break;
            case PollAnswer.Unreachable unreachable:
                metrics.Polled(name, "unreachable");
                logger.LogWarning("Polling task {TaskId} on engine {Engine} failed: {Reason}", lease.TaskId, name, unreachable.Reason);
                await jobs.ScheduleAsync(lease, engine.Polling.Next(submittedAt, time.GetUtcNow(), null), waiting.Progress, wakesSeen, cancellationToken);
                break;
            case PollAnswer.Lost lost:
                metrics.Polled(name, "lost");
                await FailAsync(waiting, new TaskFailure(FailureKind.ServiceError, $"The upstream engine lost the task: {lost.Reason}"), "lost", submittedAt);
                break;
            case PollAnswer.Failed failed:
                metrics.Polled(name, "failed");
                await RecordCostAsync(lease, failed.Cost);
                await FailAsync(waiting, new TaskFailure(failed.Kind, failed.Message), "failed", submittedAt);
                break;
            case PollAnswer.Succeeded succeeded:
                metrics.Polled(name, "succeeded");
                await CompleteAsync(waiting, name, succeeded, submittedAt, cancellationToken);
                break;
            case PollAnswer.NextStep next:
                metrics.Polled(name, "next_step");
                await NextStepAsync(waiting, engine, next.StepId, submittedAt, cancellationToken);
                break;
        }
        if (engine.Protocol is IDeliversByWebhook && answer is not (PollAnswer.Running or PollAnswer.Unreachable))
        {
            // The task has ended (here, or by a cancel or a duplicate meanwhile): its delivery is spent.
            await deliveries.ForgetAsync(lease.TaskId);
        }
    }

    /// <summary>
    /// A further request of a job of several (<see cref="IUpstreamSteps"/>): the step's id recorded first (a crash
    /// after it leaves the protocol that id to decide from), then the step sent, then the job it made recorded.
    /// </summary>
    private async Task NextStepAsync(WaitingJob waiting, UpstreamEngine engine, string stepId, DateTimeOffset submittedAt, CancellationToken cancellationToken)
    {
        var (lease, job) = (waiting.Lease, waiting.Job);
        if (engine.Protocol is not IUpstreamSteps steps || !JsonFields.IsJobId(stepId))
        {
            await FailAsync(waiting, new TaskFailure(FailureKind.ServiceError, "The upstream engine's protocol asked for a step it cannot take"), "failed", submittedAt);
            return;
        }
        if (stepId != job.UpstreamId && !await jobs.RecordAcceptedAsync(lease, stepId, null, time.GetUtcNow() + FaultPause, CancellationToken.None))
        {
            return;
        }
        if (await store.GetAsync(lease.TaskId, cancellationToken) is not { } task)
        {
            return;
        }
        var (request, unloadable) = await submissions.StepRequestAsync(engine, task, job, cancellationToken);
        if (unloadable?.Failure is { } failure)
        {
            await FailAsync(waiting, failure, "failed", submittedAt);
            return;
        }
        SubmitAnswer answer;
        using (var span = UpstreamTracing.Start("step", engine.Descriptor.Name, lease.TaskId))
        {
            // Not the loop's token, as for a submission: a step the upstream took must have its answer recorded.
            answer = await steps.ContinueAsync(request!, stepId, CancellationToken.None);
            span?.SetTag("easel.upstream.outcome", answer.GetType().Name.ToLowerInvariant());
        }
        switch (answer)
        {
            case SubmitAnswer.Accepted accepted:
                if (await jobs.RecordAcceptedAsync(lease, accepted.UpstreamId, accepted.Cost, engine.Polling.First(time.GetUtcNow(), accepted.Estimate), CancellationToken.None))
                {
                    logger.LogInformation("Task {TaskId} went on to job {UpstreamId} of engine {Engine}", lease.TaskId, accepted.UpstreamId, engine.Descriptor.Name);
                }
                else
                {
                    // Cancelled or timed out while the step was out: the job it made has nobody waiting for it.
                    await engine.CancelQuietlyAsync(accepted.UpstreamId, lease.TaskId, metrics, logger);
                }
                break;
            case SubmitAnswer.Refused refused:
                await FailAsync(waiting, new TaskFailure(refused.Kind, refused.Message), "failed", submittedAt);
                break;
            case SubmitAnswer.Unavailable unavailable:
                // The step's id is recorded: the next poll asks the protocol again, which knows whether it may resend.
                logger.LogWarning("Engine {Engine} did not take the next step of task {TaskId}: {Reason}", engine.Descriptor.Name, lease.TaskId, unavailable.Reason);
                await jobs.ScheduleAsync(lease, engine.Polling.Next(submittedAt, time.GetUtcNow(), null), waiting.Progress, job.Wakes, cancellationToken);
                break;
        }
    }

    private async Task CompleteAsync(WaitingJob waiting, string engine, PollAnswer.Succeeded succeeded, DateTimeOffset submittedAt, CancellationToken cancellationToken)
    {
        var expected = ModelCatalog.Of(waiting.Kind).ImageCount;
        var grid = succeeded.OneGridOfFour && succeeded.Results.Count == 1 && expected == 4;
        if (!grid && succeeded.Results.Count != expected)
        {
            await FailAsync(waiting, new TaskFailure(FailureKind.ServiceError,
                $"The upstream engine gave {succeeded.Results.Count} images; this model gives {expected}"), "failed", submittedAt);
            return;
        }
        IReadOnlyList<string> keys;
        try
        {
            keys = grid ? await rehosting.RehostGridAsync(succeeded.Results[0], cancellationToken) : await rehosting.RehostAsync(succeeded.Results, cancellationToken);
        }
        catch (UpstreamResultException e)
        {
            await FailAsync(waiting, new TaskFailure(FailureKind.ServiceError, "The upstream engine's results were refused: " + e.Message), "result_refused", submittedAt);
            return;
        }
        catch (BlobStoreException e)
        {
            // The bucket refused or could not be reached: the results are not Easel's to serve, so the task fails
            // (refunded) rather than completing without them; RehostAsync has discarded what it had saved.
            logger.LogError(e, "The results of task {TaskId} could not be stored", waiting.Lease.TaskId);
            await FailAsync(waiting, new TaskFailure(FailureKind.ServiceError, "The results could not be stored"), "failed", submittedAt);
            return;
        }
        await RecordCostAsync(waiting.Lease, succeeded.Cost);
        // CancellationToken.None: with the results stored, the record must not be abandoned half-way.
        if (await store.CompleteAsync(waiting.Lease, keys, time.GetUtcNow(), CancellationToken.None))
        {
            load.Release(engine);
            metrics.Finished(engine, "completed", time.GetUtcNow() - submittedAt);
            if (await store.GetAsync(waiting.Lease.TaskId, CancellationToken.None) is { } task)
            {
                taskMetrics.TaskFinished(task, TaskState.Completed);
            }
        }
        else
        {
            // Cancelled, timed out or completed by a duplicate poll meanwhile: the other record stands.
            await rehosting.DiscardAsync(keys);
        }
    }

    private async Task RecordCostAsync(TaskLease lease, UpstreamCost? cost)
    {
        if (cost is not null)
        {
            await jobs.RecordCostAsync(lease, cost, CancellationToken.None);
        }
    }

    private async Task FailAsync(WaitingJob waiting, TaskFailure failure, string outcome, DateTimeOffset? submittedAt = null)
    {
        if (await store.FailAsync(waiting.Lease, failure, time.GetUtcNow(), CancellationToken.None))
        {
            load.Release(waiting.Job.Engine);
            if (submittedAt is { } at)
            {
                metrics.Finished(waiting.Job.Engine, outcome, time.GetUtcNow() - at);
            }
            if (await store.GetAsync(waiting.Lease.TaskId, CancellationToken.None) is { } task)
            {
                taskMetrics.TaskFinished(task, TaskState.Failed, failure.Kind);
            }
            logger.LogInformation("Task {TaskId} on engine {Engine} failed: {Message}", waiting.Lease.TaskId, waiting.Job.Engine, failure.Message);
        }
    }
}
