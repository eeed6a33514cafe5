using System.Collections.Concurrent;
using Easel.Core.Engines.Upstream;
using Microsoft.Extensions.Logging;

namespace Easel.Engines.Upstream;

/// <summary>What a synchronous call came to: the answer its polls give, and the answer its submission gives instead
/// when the call ended before the submission returned (a refusal or an upstream that is down, seen in time to try the
/// next engine). Null there means the call's end is only the poll's business.</summary>
public sealed record SyncOutcome(PollAnswer Answer, SubmitAnswer? BeforeAcceptance = null);

/// <summary>
/// The synchronous upstream calls in flight in this process (an HTTP request that lasts until the images exist, as
/// the OpenAI Images API's), fitted to the asynchronous contract: a call runs on a background task, holding no worker
/// slot; its id is known at once (the submission key), so the submission can be accepted before the call ends; polls
/// read its state here. A call lives only in the process that started it: after a restart, or on another node that
/// took the task over, its id is unknown and the poll answers <see cref="PollAnswer.Lost"/> (the task fails and is
/// refunded; README "Engines" states the limit). A finished call is kept for <see cref="Retention"/> so a poll whose
/// record failed can read it again; a cancelled one is dropped at once.
/// When a call ends, its job is woken (its next poll moved to now, and the poller signalled): the answer is here
/// already, and waiting for the poll schedule would add up to an interval to every synchronous task. One instance
/// serves every synchronous engine of the process (ids are submission keys, unique across engines).
/// </summary>
public sealed class SyncCalls(TimeProvider time, IUpstreamJobStore jobs, UpstreamSignal poller, ILogger<SyncCalls> logger)
{
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Call> _calls = new(StringComparer.Ordinal);

    private sealed class Call(string taskId, CancellationTokenSource cancel, TimeSpan timeout)
    {
        public string TaskId { get; } = taskId;

        public CancellationTokenSource Cancel { get; } = cancel;

        public TimeSpan Timeout { get; } = timeout;

        public Task<SyncOutcome> Outcome { get; set; } = null!;

        public bool CancelledByEasel { get; set; }

        public DateTimeOffset? FinishedAt { get; set; }
    }

    public int Count => _calls.Count;

    /// <summary>
    /// A protocol's submission: starts the call, then waits up to <paramref name="failFastWindow"/> for a refusal that
    /// comes before the upstream took the work (a 401, an upstream that is down): that answer is the submission's, so
    /// the next engine may try. Otherwise the job is accepted under its id and the poller follows the call.
    /// </summary>
    public async Task<SubmitAnswer> SubmitAsync(string id, string taskId, TimeSpan timeout, TimeSpan failFastWindow, Func<CancellationToken, Task<SyncOutcome>> work)
    {
        var outcome = Start(id, taskId, timeout, work);
        await Task.WhenAny(outcome, Task.Delay(failFastWindow, time, CancellationToken.None));
        if (outcome.IsCompletedSuccessfully && outcome.Result.BeforeAcceptance is { } early)
        {
            Forget(id);
            return early;
        }
        return new SubmitAnswer.Accepted(id, null, null);
    }

    /// <summary>
    /// Starts <paramref name="work"/> under <paramref name="id"/> for task <paramref name="taskId"/>, bounded by
    /// <paramref name="timeout"/>: past it the call is cancelled (the HTTP request aborted) and answers generation_timeout.
    /// </summary>
    public Task<SyncOutcome> Start(string id, string taskId, TimeSpan timeout, Func<CancellationToken, Task<SyncOutcome>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Sweep();
        var call = new Call(taskId, new CancellationTokenSource(timeout, time), timeout);
        // Complete before anyone can find it, started only once it is findable.
        var run = new Task<Task<SyncOutcome>>(() => RunAsync(call, work));
        call.Outcome = run.Unwrap();
        if (!_calls.TryAdd(id, call))
        {
            call.Cancel.Dispose();
            // Ids are submission keys, fresh per submission: a second start is a bug, never a retry to absorb.
            throw new InvalidOperationException($"a synchronous call {id} is already in flight");
        }
        run.Start(TaskScheduler.Default);
        return call.Outcome;
    }

    private async Task<SyncOutcome> RunAsync(Call call, Func<CancellationToken, Task<SyncOutcome>> work)
    {
        try
        {
            return await work(call.Cancel.Token);
        }
        catch (OperationCanceledException) when (call.Cancel.IsCancellationRequested)
        {
            return call.CancelledByEasel
                ? new SyncOutcome(new PollAnswer.Failed(Core.Tasks.FailureKind.ServiceError, "the call was cancelled by Easel", null))
                : new SyncOutcome(new PollAnswer.Failed(Core.Tasks.FailureKind.Timeout,
                    $"the upstream engine did not answer within {call.Timeout.TotalMinutes:0.#} minutes, and the call was given up", null));
        }
        finally
        {
            call.FinishedAt = time.GetUtcNow();
            if (!call.CancelledByEasel)
            {
                _ = WakeAsync(call.TaskId);
            }
        }
    }

    /// <summary>
    /// Whether this process has the call and it has ended. The submission checks it once the acceptance is recorded: a
    /// call that ended before that found no job to wake.
    /// </summary>
    public bool HasEnded(string id) => _calls.TryGetValue(id, out var call) && call.Outcome.IsCompleted;

    // A wake that fails leaves the job to its scheduled poll, which reads the same answer: later, not lost.
    private async Task WakeAsync(string taskId)
    {
        try
        {
            if (await jobs.WakeAsync(taskId, time.GetUtcNow(), CancellationToken.None))
            {
                poller.Notify();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning(e, "Waking task {TaskId} after its synchronous call ended failed; its scheduled poll will read the answer", taskId);
        }
    }

    /// <summary>
    /// Running while the call runs; its answer when it has ended; Lost when this process has no such call. A fault of
    /// Easel's inside the call is thrown here (the poller logs it) and the call forgotten, so the next poll fails the task.
    /// </summary>
    public PollAnswer Poll(string id)
    {
        Sweep();
        if (!_calls.TryGetValue(id, out var call))
        {
            return new PollAnswer.Lost($"no call {id} is in flight in this Easel process: the synchronous call died with the process "
                + "that made it (a restart, or the task was taken over by another node), and its answer cannot be received");
        }
        if (!call.Outcome.IsCompleted)
        {
            return new PollAnswer.Running(0, null);
        }
        if (call.Outcome.IsFaulted)
        {
            Forget(id);
            throw new InvalidOperationException($"the synchronous call {id} failed inside Easel", call.Outcome.Exception);
        }
        return call.Outcome.Result.Answer;
    }

    /// <summary>Whether this process has the call and it has not ended (an upstream that renders on after an abort needs telling only then).</summary>
    public bool IsRunning(string id) => _calls.TryGetValue(id, out var call) && !call.Outcome.IsCompleted;

    /// <summary>Cancels the call (its HTTP request is aborted) and forgets it; false when this process has no such call.</summary>
    public bool Cancel(string id)
    {
        if (!_calls.TryGetValue(id, out var call))
        {
            return false;
        }
        call.CancelledByEasel = true;
        call.Cancel.Cancel();
        Forget(id);
        return true;
    }

    /// <summary>Drops a call whose end the submission already reported (a refusal seen before acceptance).</summary>
    public void Forget(string id)
    {
        if (_calls.TryRemove(id, out var call) && call.Outcome.IsCompleted)
        {
            call.Cancel.Dispose();
        }
    }

    // Finished calls nobody reads (their task was cancelled, timed out or taken over) do not pile up.
    private void Sweep()
    {
        var before = time.GetUtcNow() - Retention;
        foreach (var (id, call) in _calls)
        {
            if (call.FinishedAt is { } at && at < before)
            {
                Forget(id);
            }
        }
    }
}
