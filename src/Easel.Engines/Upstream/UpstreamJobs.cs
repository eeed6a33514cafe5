using System.Security.Cryptography;
using Easel.Core.Blobs;
using Easel.Core.Engines;
using Easel.Core.Engines.Upstream;
using Easel.Core.Operations;
using Easel.Core.Outbound;
using Easel.Core.Tasks;
using Microsoft.Extensions.Logging;

namespace Easel.Engines.Upstream;

/// <summary>
/// Submits tasks to upstream engines and resumes them after a crash (API.md section 10, durable upstream jobs): the
/// submission key and wake-up token are written under the lease before the request leaves, the upstream's id as soon
/// as it answers, and the task is then the poller's. Nothing here holds a task while the upstream works.
/// </summary>
public sealed class UpstreamJobs(
    UpstreamEngines engines,
    IUpstreamJobStore jobs,
    EngineLoad load,
    UpstreamSignal poller,
    UpstreamMetrics metrics,
    TaskRunnerOptions options,
    ITaskStore tasks,
    IBlobStore blobs,
    IOutboundClient outbound,
    SyncCalls syncCalls,
    TimeProvider time,
    ILogger<UpstreamJobs> logger) : IUpstreamJobs
{
    private readonly SourceImages _images = new(tasks, blobs, outbound);

    public async Task<UpstreamStart?> ResumeAsync(ClaimedTask claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var job = await jobs.GetAsync(claim.Task.Id, cancellationToken);
        if (job is null)
        {
            return null;
        }
        var engine = engines.Find(job.Engine);
        if (engine is null)
        {
            return UpstreamStart.Fail(FailureKind.ServiceError,
                $"The task was sent to engine '{job.Engine}', which is no longer configured; its state there is unknown");
        }
        if (job.UpstreamId is not null)
        {
            // Accepted before the crash (or the node that held it died): only waiting is left, under this claim's lease.
            await jobs.ScheduleAsync(claim.Lease, time.GetUtcNow(), claim.Task.Progress, job.Wakes, cancellationToken);
            poller.Notify();
            logger.LogInformation("Task {TaskId} waits again on job {UpstreamId} of engine {Engine}", claim.Task.Id, job.UpstreamId, job.Engine);
            return UpstreamStart.Waiting;
        }
        if (engine.Protocol is IDeliversByWebhook && await jobs.GetDeliveryAsync(claim.Task.Id, job.SubmissionKey, cancellationToken) is not null)
        {
            // Easel stopped before it recorded the upstream's acceptance, but the result has come since: the job's id is
            // its submission key, so it is recorded as accepted and read, never sent again (that would run it twice).
            if (!await jobs.RecordAcceptedAsync(claim.Lease, job.SubmissionKey, null, time.GetUtcNow(), cancellationToken))
            {
                return NotOurs;
            }
            poller.Notify();
            return UpstreamStart.Waiting;
        }
        if (!engine.Protocol.ResubmitsIdempotently || time.GetUtcNow() - (job.SubmittedAt ?? DateTimeOffset.MinValue) > ResubmissionWindow)
        {
            metrics.Submitted(job.Engine, "unknown_after_crash");
            return UpstreamStart.Fail(FailureKind.ServiceError,
                $"Easel stopped while sending the task to engine '{job.Engine}', and it cannot be asked safely whether it accepted it "
                + "(its protocol keeps no submission key, or the key has expired), so it was not sent again and the upstream's state is unknown");
        }
        // The same key and the same body: an upstream that keeps its keys answers with the job it made the first time.
        var (request, unloadable) = await RequestAsync(engine, claim.Task, job.SubmissionKey, job.WakeToken, cancellationToken);
        return unloadable ?? await SendAsync(claim, engine, request! with { Resumed = true }, resumed: true, cancellationToken);
    }

    public async Task<UpstreamStart> SubmitAsync(ClaimedTask claim, EngineDescriptor engine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(engine);
        var upstream = engines.Find(engine.Name) ?? throw new InvalidOperationException($"engine {engine.Name} has no protocol");
        if (!load.TryTake(engine.Name, engine.MaxInFlight))
        {
            return UpstreamStart.Full;
        }
        var accepted = false;
        try
        {
            var key = "easel-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var token = Base64Url(RandomNumberGenerator.GetBytes(24));
            var (request, unloadable) = await RequestAsync(upstream, claim.Task, key, token, cancellationToken);
            if (unloadable is not null)
            {
                return unloadable;
            }
            if (!await jobs.BeginSubmissionAsync(claim.Lease, new UpstreamSubmission(engine.Name, key, token), time.GetUtcNow(), options.LeaseDuration, cancellationToken))
            {
                return NotOurs;
            }
            var start = await SendAsync(claim, upstream, request!, resumed: false, cancellationToken);
            accepted = start.Kind == UpstreamStartKind.Waiting;
            if (accepted)
            {
                load.Accepted(engine.Name);
            }
            return start;
        }
        finally
        {
            if (!accepted)
            {
                load.GiveBack(engine.Name);
            }
        }
    }

    /// <summary>
    /// Whether a task whose acceptance this claim could not record still waits on the same submission under another
    /// claim: running or pending again, on the same key, with a protocol that answers a repeated key with the job it made.
    /// </summary>
    private async Task<bool> SameSubmissionLivesOnAsync(string taskId, UpstreamEngine engine, string submissionKey) =>
        engine.Protocol.ResubmitsIdempotently
        && await tasks.GetAsync(taskId, CancellationToken.None) is { State: TaskState.Pending or TaskState.Processing }
        && (await jobs.GetAsync(taskId, CancellationToken.None))?.SubmissionKey == submissionKey;

    /// <summary>Within this, an Easel upstream still answers a repeated Idempotency-Key with its first task (it keeps keys 24 h).</summary>
    private static readonly TimeSpan ResubmissionWindow = TimeSpan.FromHours(23);

    private static readonly UpstreamStart NotOurs = new(UpstreamStartKind.NotOurs, null, "the task is no longer this node's");

    private async Task<UpstreamStart> SendAsync(ClaimedTask claim, UpstreamEngine engine, UpstreamRequest request, bool resumed, CancellationToken cancellationToken)
    {
        var name = engine.Descriptor.Name;
        var started = time.GetTimestamp();
        SubmitAnswer answer;
        using (var span = UpstreamTracing.Start("submit", name, claim.Task.Id))
        {
            // Not the task's token: a cancel must not cut the request off after the upstream made the job, or its id would
            // never be known. The request is bounded by the engine's request timeout; a cancel is noticed when the
            // acceptance is recorded, and the job is cancelled upstream then.
            answer = await engine.Protocol.SubmitAsync(request, CancellationToken.None);
            span?.SetTag("easel.upstream.outcome", Outcome(answer));
        }
        metrics.Submitted(name, Outcome(answer), time.GetElapsedTime(started));
        switch (answer)
        {
            case SubmitAnswer.Accepted accepted:
                // A synchronous call that has already ended is polled at once: its answer is here.
                var endedBefore = syncCalls.HasEnded(accepted.UpstreamId);
                var firstPoll = endedBefore ? time.GetUtcNow() : engine.Polling.First(time.GetUtcNow(), accepted.Estimate);
                if (!await jobs.RecordAcceptedAsync(claim.Lease, accepted.UpstreamId, accepted.Cost, firstPoll, CancellationToken.None))
                {
                    // Cancelled or timed out while the request was out: the job exists upstream and nobody waits for it.
                    // Taken over instead (the lease lapsed while the request was out): the claim that holds the task now
                    // sends the same key and waits on this very job, which must not be cancelled under it.
                    if (!await SameSubmissionLivesOnAsync(claim.Task.Id, engine, request.SubmissionKey))
                    {
                        await engine.CancelQuietlyAsync(accepted.UpstreamId, claim.Task.Id, metrics, logger);
                    }
                    return NotOurs;
                }
                if (!endedBefore && syncCalls.HasEnded(accepted.UpstreamId))
                {
                    // Ended while the acceptance was being written: its own wake-up found no job yet, so poll now.
                    await jobs.WakeAsync(claim.Task.Id, time.GetUtcNow(), CancellationToken.None);
                }
                poller.Notify();
                logger.LogInformation("Task {TaskId} {Verb} engine {Engine} as job {UpstreamId}", claim.Task.Id,
                    resumed ? "was found again on" : "was accepted by", name, accepted.UpstreamId);
                return UpstreamStart.Waiting;
            case SubmitAnswer.Refused refused:
                return UpstreamStart.Fail(refused.Kind, refused.Message);
            case SubmitAnswer.Unavailable unavailable when resumed:
                // Not another engine: the first submission may exist upstream, and a second one elsewhere would double it.
                return UpstreamStart.Fail(FailureKind.ServiceUnavailable,
                    $"Easel stopped while sending the task to engine '{name}', and asking it again failed ({unavailable.Reason})");
            case SubmitAnswer.Unavailable unavailable:
                logger.LogWarning("Engine {Engine} did not take task {TaskId}: {Reason}", name, claim.Task.Id, unavailable.Reason);
                return UpstreamStart.Unavailable(unavailable.Reason);
            default:
                throw new InvalidOperationException($"unknown answer {answer}");
        }
    }

    public void CancelUpstreamInBackground(TaskRecord task)
    {
        ArgumentNullException.ThrowIfNull(task);
        _ = Task.Run(async () =>
        {
            try
            {
                var job = await jobs.GetAsync(task.Id, CancellationToken.None);
                if (job?.UpstreamId is { } id && engines.Find(job.Engine) is { } engine)
                {
                    await engine.CancelQuietlyAsync(id, task.Id, metrics, logger);
                    if (engine.Protocol is IDeliversByWebhook)
                    {
                        // A delivery recorded before the cancel is read by nobody now.
                        await jobs.ForgetDeliveryAsync(task.Id, CancellationToken.None);
                    }
                }
                // No id yet: the submission is still out, and its answer finds the task cancelled and cancels the job then.
            }
            catch (Exception e)
            {
                logger.LogError(e, "Cancelling the upstream job of task {TaskId} failed", task.Id);
            }
        });
    }

    /// <summary>The request again for a further step of a job (<see cref="IUpstreamSteps"/>), under the job's own key and wake-up token.</summary>
    internal Task<(UpstreamRequest? Request, UpstreamStart? Failure)> StepRequestAsync(UpstreamEngine engine, TaskRecord task, UpstreamJob job,
        CancellationToken cancellationToken) => RequestAsync(engine, task, job.SubmissionKey, job.WakeToken, cancellationToken);

    /// <summary>The request, or the failure of the task when an image it needs cannot be loaded (as the local engine would fail it).</summary>
    private async Task<(UpstreamRequest? Request, UpstreamStart? Failure)> RequestAsync(UpstreamEngine engine, TaskRecord task, string key, string wakeToken,
        CancellationToken cancellationToken)
    {
        var operation = task.Operation;
        var mask = SourceImages.MaskOf(operation) is ImageMask { Image: var m } ? m : null;
        var request = new UpstreamRequest(task, key)
        {
            SourceImageNumber = operation.Source?.ImageNumber ?? 0,
            ImageUrl = operation.InputImage is { } image ? UpstreamLinks.Of(image, task) : null,
            MaskUrl = mask is not null ? UpstreamLinks.Of(mask, task) : null,
            WakeUpUrl = UpstreamLinks.WakeUp(task, wakeToken),
        };
        if (engine.Protocol.SendsImageBytes(operation.Kind))
        {
            try
            {
                request = request with
                {
                    SourceBytes = await _images.SourceAsync(operation, cancellationToken),
                    MaskBytes = await _images.MaskAsync(operation, cancellationToken),
                };
            }
            catch (OutboundException e)
            {
                return (null, UpstreamStart.Fail(FailureKind.ImageProcessing, e.Message));
            }
            catch (EngineFailureException e)
            {
                return (null, UpstreamStart.Fail(e.Kind, e.Message));
            }
        }
        return (await SourceJobAsync(request, operation, cancellationToken), null);
    }

    // Affinity: routing sent a secondary task to the engine that made its source (when that engine chains by job id),
    // so the source's own upstream job id names the image there.
    private async Task<UpstreamRequest> SourceJobAsync(UpstreamRequest request, Operation operation, CancellationToken cancellationToken)
    {
        if (operation.Source is not { } from)
        {
            return request;
        }
        var job = await jobs.GetAsync(from.TaskId, cancellationToken);
        var source = await tasks.GetAsync(from.TaskId, cancellationToken);
        var url = source is { BaseUrl: not null } && from.ImageNumber < source.ResultKeys.Count
            ? new Uri(BlobUrls.FileUrl(request.Task.BaseUrl ?? source.BaseUrl, source.ResultKeys[from.ImageNumber]))
            : null;
        return request with { SourceJobId = job?.UpstreamId, SourceUrl = url, SourceOperation = source?.Operation };
    }

    private static string Outcome(SubmitAnswer answer) => answer switch
    {
        SubmitAnswer.Accepted => "accepted",
        SubmitAnswer.Refused => "refused",
        _ => "unavailable",
    };

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
