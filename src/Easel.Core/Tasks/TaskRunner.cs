using Easel.Core.Blobs;
using Easel.Core.Engines;
using Easel.Core.Engines.Upstream;
using Easel.Core.Models;
using Easel.Core.Observability;
using Easel.Core.Operations;
using Easel.Core.Outbound;
using Microsoft.Extensions.Logging;

namespace Easel.Core.Tasks;

/// <summary>
/// Runs one claimed task: choose its engine (API.md section 10's routing), and either run the local engine here
/// (resolve its images, run it, store the outputs, complete it) or hand the task to an upstream engine, where it waits
/// for the poller without this worker slot.
/// At-least-once point: a node may die after storing outputs but before completing; the task is claimed
/// again and re-run (same seed, same pixels), and only the completion compare-and-set decides, once.
/// An upstream job is never sent twice unknowingly: a claim of a task that has one resumes it (<see cref="IUpstreamJobs"/>).
/// </summary>
public sealed class TaskRunner(
    ITaskStore store,
    IBlobStore blobs,
    IOutboundClient outbound,
    IImageEngine engine,
    EngineDirectory engines,
    IUpstreamJobs upstream,
    IUpstreamJobStore jobs,
    RunningTasks running,
    TaskRunnerOptions options,
    EaselMetrics metrics,
    TimeProvider time,
    ILogger<TaskRunner> logger)
{
    private readonly SourceImages _images = new(store, blobs, outbound);

    public async Task RunAsync(ClaimedTask claim, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var (task, lease) = (claim.Task, claim.Lease);
        // A claim of a task accepted upstream only resumes waiting (the node that waited died or restarted): that is not
        // a run that failed to finish, and failing it would refund a job the upstream still makes and charges for.
        if (task.Attempts > options.MaxAttempts && (await jobs.GetAsync(task.Id, CancellationToken.None))?.UpstreamId is null)
        {
            var failure = new TaskFailure(FailureKind.ServiceError, $"the task was interrupted {options.MaxAttempts} times and was not tried again");
            await FinishAsync(task, lease, new Outcome([], failure));
            return;
        }

        using var abort = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        running.Register(task.Id, abort);
        var progress = new ProgressGauge();
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(lease, progress, abort, heartbeatStop.Token);
        try
        {
            var outcome = await RouteAsync(claim, progress, abort.Token);
            await heartbeatStop.CancelAsync();
            await heartbeat;
            if (outcome is not null)
            {
                await FinishAsync(task, lease, outcome);
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // Cancelled by the client (the store already says so), the lease was lost, or the node is stopping:
            // in every case this node must not write a terminal state.
            if (stopping.IsCancellationRequested)
            {
                // The grace period of a graceful stop ran out: pending again at once, so another node or the next
                // start resumes it without waiting for the lease to expire. A no-op if it was cancelled meanwhile.
                var released = await store.ReleaseLeaseAsync(lease, CancellationToken.None);
                logger.LogWarning("Task {TaskId} did not finish before shutdown; {Outcome}", task.Id,
                    released ? "put back to pending" : "it was no longer this node's to release");
            }
            else
            {
                logger.LogInformation("Task {TaskId} stopped before finishing (cancelled or lease lost)", task.Id);
            }
        }
        finally
        {
            running.Unregister(task.Id);
            await heartbeatStop.CancelAsync();
            await heartbeat;
        }
    }

    // The outcome to record, or null when there is none to record here: an upstream engine has the task now (the
    // poller records it), or the task is no longer this lease's.
    private async Task<Outcome?> RouteAsync(ClaimedTask claim, ProgressGauge progress, CancellationToken cancellationToken)
    {
        var task = claim.Task;
        UpstreamStart? resumed;
        try
        {
            resumed = await upstream.ResumeAsync(claim, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Task {TaskId}: resuming its upstream job failed", task.Id);
            return new Outcome([], new TaskFailure(FailureKind.ServiceError, "The task failed because of an internal error"));
        }
        if (resumed is not null)
        {
            return resumed.Kind is UpstreamStartKind.Waiting or UpstreamStartKind.NotOurs ? null
                : new Outcome([], resumed.Failure ?? new TaskFailure(FailureKind.ServiceUnavailable, $"the upstream engine could not take the task again: {resumed.Reason}"));
        }

        var source = task.Operation.Source is { } from ? await store.GetAsync(from.TaskId, cancellationToken) : null;
        var candidates = engines.Route(task.Operation, source?.Engine);
        var reasons = new List<string>();
        while (true)
        {
            var full = false;
            foreach (var candidate in candidates)
            {
                if (!candidate.IsUpstream)
                {
                    // The local engine runs here, holding this worker slot: its name is recorded first, for the task's reader.
                    if (!await jobs.AssignEngineAsync(claim.Lease, candidate.Name, cancellationToken))
                    {
                        logger.LogInformation("Task {TaskId} was cancelled or claimed again before it started", task.Id);
                        return null;
                    }
                    return await ExecuteAsync(task, progress, cancellationToken);
                }
                UpstreamStart start;
                try
                {
                    start = await upstream.SubmitAsync(claim, candidate, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Task {TaskId}: submitting to engine {Engine} failed with an unexpected error", task.Id, candidate.Name);
                    return new Outcome([], new TaskFailure(FailureKind.ServiceError, "The task failed because of an internal error"));
                }
                switch (start.Kind)
                {
                    case UpstreamStartKind.Waiting or UpstreamStartKind.NotOurs:
                        return null;
                    case UpstreamStartKind.Failed:
                        return new Outcome([], start.Failure!);
                    case UpstreamStartKind.Full:
                        full = true;
                        break;
                    default:
                        reasons.Add($"{candidate.Name}: {start.Reason}");
                        break;
                }
            }
            if (!full)
            {
                var why = reasons.Count == 0 ? "no configured engine serves this operation with this source" : string.Join("; ", reasons);
                return new Outcome([], new TaskFailure(FailureKind.ServiceUnavailable, $"No engine could take the task ({why})"));
            }
            // Every engine that could take it is full on this node: wait for room (the heartbeat keeps the lease).
            reasons.Clear();
            await Task.Delay(FullEngineRetry, time, cancellationToken);
        }
    }

    private static readonly TimeSpan FullEngineRetry = TimeSpan.FromMilliseconds(500);

    private async Task<Outcome> ExecuteAsync(TaskRecord task, ProgressGauge progress, CancellationToken cancellationToken)
    {
        try
        {
            progress.Report(5);
            byte[]? source, mask;
            // The image fetches (HttpClient spans, through the guarded client) are children of this span.
            using (var fetch = EaselTracing.StartStage("fetch"))
            {
                try
                {
                    source = await _images.SourceAsync(task.Operation, cancellationToken);
                    mask = await _images.MaskAsync(task.Operation, cancellationToken);
                }
                catch (Exception e) when (e is OutboundException or EngineFailureException)
                {
                    EaselTracing.Failed(fetch, e.Message);
                    throw;
                }
            }
            progress.Report(15);

            // The engine's own 0-100 maps onto 15-90 of the task.
            var engineProgress = new ScaledProgress(progress, 15, 90);
            var input = new EngineInput(task.Operation, source, mask, TaskIds.SeedOf(task.Id));
            var started = time.GetTimestamp();
            EngineOutput output;
            using (var engineSpan = EaselTracing.StartStage("engine"))
            {
                try
                {
                    output = await engine.RunAsync(input, engineProgress, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    metrics.EngineRan(task.Operation.Kind, time.GetElapsedTime(started), succeeded: false);
                    EaselTracing.Failed(engineSpan, e is EngineFailureException ? e.Message : "internal error");
                    throw;
                }
            }
            metrics.EngineRan(task.Operation.Kind, time.GetElapsedTime(started), succeeded: true);
            var expected = ModelCatalog.Of(task.Operation.Kind).ImageCount;
            if (output.Images.Count != expected)
            {
                // An engine's fault, not the client's: nothing is stored, and the task fails as an internal error.
                throw new InvalidOperationException($"the engine gave {output.Images.Count} images; {task.Operation.Kind} gives {expected}");
            }

            var keys = new List<string>(output.Images.Count);
            using (var storing = EaselTracing.StartStage("store"))
            {
                storing?.SetTag("easel.task.images", output.Images.Count);
                try
                {
                    foreach (var image in output.Images)
                    {
                        keys.Add(await blobs.SaveAsync(image, output.Extension, cancellationToken));
                    }
                }
                catch
                {
                    // All or none: a store that refuses the third image must not leave the first two behind,
                    // owned by no task (the task fails, refunded, with no results).
                    foreach (var saved in keys)
                    {
                        await blobs.DeleteAsync(saved, CancellationToken.None);
                    }
                    throw;
                }
            }
            progress.Report(95);
            return new Outcome(keys, null);
        }
        catch (OutboundException e)
        {
            return new Outcome([], new TaskFailure(FailureKind.ImageProcessing, e.Message));
        }
        catch (EngineFailureException e)
        {
            return new Outcome([], new TaskFailure(e.Kind, e.Message));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A fault of ours (an engine bug, a full disk): the client gets service_error and no stack trace;
            // the log gets the whole exception, so the fault is recorded twice and hidden nowhere.
            logger.LogError(e, "Task {TaskId} failed with an unexpected error", task.Id);
            return new Outcome([], new TaskFailure(FailureKind.ServiceError, "The task failed because of an internal error"));
        }
    }

    private async Task FinishAsync(TaskRecord task, TaskLease lease, Outcome outcome)
    {
        using var settle = EaselTracing.StartStage("settle");
        if (outcome.Failure is { } failure)
        {
            EaselTracing.Failed(settle, failure.Message);
        }
        var now = time.GetUtcNow();
        // CancellationToken.None: once the work is done, recording it must not be abandoned half-way.
        var recorded = outcome.Failure is null
            ? await store.CompleteAsync(lease, outcome.Keys, now, CancellationToken.None)
            : await store.FailAsync(lease, outcome.Failure, now, CancellationToken.None);
        if (recorded)
        {
            metrics.TaskFinished(task, outcome.Failure is null ? TaskState.Completed : TaskState.Failed, outcome.Failure?.Kind);
        }
        else
        {
            // Cancelled or re-claimed meanwhile: the other outcome stands, and these outputs belong to no task.
            foreach (var key in outcome.Keys)
            {
                await blobs.DeleteAsync(key, CancellationToken.None);
            }
            settle?.SetTag("easel.task.recorded", false);
            logger.LogInformation("Task {TaskId} finished but was no longer ours to record", task.Id);
        }
    }

    private async Task HeartbeatAsync(TaskLease lease, ProgressGauge progress, CancellationTokenSource abort, CancellationToken stop)
    {
        var lastRenewal = time.GetUtcNow();
        var flushed = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(options.HeartbeatInterval, time, stop);
                var current = progress.Value;
                if (current > flushed)
                {
                    await store.ReportProgressAsync(lease, current, stop);
                    flushed = current;
                }
                var now = time.GetUtcNow();
                if (now - lastRenewal >= options.HeartbeatInterval * 4)
                {
                    if (!await store.RenewLeaseAsync(lease, now, options.LeaseDuration, stop))
                    {
                        await abort.CancelAsync();
                        return;
                    }
                    lastRenewal = now;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run finished: the heartbeat ends with it.
        }
    }

    private sealed record Outcome(IReadOnlyList<string> Keys, TaskFailure? Failure);

    /// <summary>The highest progress reported so far; the heartbeat writes it, so the engine never waits on the database.</summary>
    private sealed class ProgressGauge : IProgress<int>
    {
        private int _value;

        public int Value => Volatile.Read(ref _value);

        public void Report(int value)
        {
            var clamped = Math.Clamp(value, 0, 99); // 100 is written by the completion itself
            int seen;
            do
            {
                seen = Volatile.Read(ref _value);
                if (clamped <= seen)
                {
                    return;
                }
            }
            while (Interlocked.CompareExchange(ref _value, clamped, seen) != seen);
        }
    }

    private sealed class ScaledProgress(IProgress<int> inner, int from, int to) : IProgress<int>
    {
        public void Report(int value) => inner.Report(from + (Math.Clamp(value, 0, 100) * (to - from) / 100));
    }
}
