using Easel.Core.Engines.Upstream;
using Easel.Core.Outbound;
using Easel.Core.Tasks;
using Microsoft.Extensions.Logging;

namespace Easel.Engines.Upstream;

/// <summary>
/// The terminal webhook deliveries of the engines whose results come by webhook (<see cref="IDeliversByWebhook"/>):
/// recorded durably by the wake-up endpoint of whichever node receives one (its raw body, in the store the nodes share,
/// before the upstream is answered 2xx, so a crash after the answer loses nothing), and read back by the
/// poller of the node that holds the task, so completion stays the poller's one path (re-hosting, settlement,
/// callbacks, leases) on every node.
/// </summary>
public sealed class WebhookDeliveries(IUpstreamJobStore jobs, OutboundOptions limits, UpstreamSignal signal, TimeProvider time, ILogger<WebhookDeliveries> logger)
{
    public enum Outcome
    {
        /// <summary>Recorded; the task is polled at once.</summary>
        Recorded,

        /// <summary>Not recorded and never will be (not terminal, another job's, a duplicate, a finished task): answer 2xx so it is not retried.</summary>
        Ignored,

        /// <summary>Over the limit, refused unread: the refusal is recorded and fails the task.</summary>
        TooLarge,
    }

    /// <summary>
    /// Reads and records a delivery for <paramref name="job"/>. The body is read only up to the protocol's limit
    /// (<paramref name="declaredLength"/> is checked first); a store or blob fault is thrown, so the caller answers 5xx
    /// and the upstream retries.
    /// </summary>
    public async Task<Outcome> ReceiveAsync(UpstreamJob job, IDeliversByWebhook protocol, long? declaredLength, Stream body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(body);
        var limit = Limit(protocol);
        var bytes = declaredLength > limit ? null : await ReadLimitedAsync(body, limit, cancellationToken);
        if (bytes is null)
        {
            var refusal = $"the upstream's result delivery is over Easel's limit of {limit} bytes ({OutputsOf(limit)}), so it was refused unread";
            logger.LogWarning("Task {TaskId}: {Refusal}", job.TaskId, refusal);
            await RecordAsync(job, WebhookDelivery.Refused(refusal), cancellationToken);
            return Outcome.TooLarge;
        }
        switch (protocol.Read(bytes, job.SubmissionKey))
        {
            case DeliveryReading.Ignored ignored:
                logger.LogInformation("Task {TaskId}: a webhook delivery changed nothing ({Reason})", job.TaskId, ignored.Reason);
                return Outcome.Ignored;
            default:
                // The raw body, not Easel's reading of it: the poller reads it again, with the same checks.
                return await RecordAsync(job, WebhookDelivery.Of(bytes), cancellationToken) ? Outcome.Recorded : Outcome.Ignored;
        }
    }

    /// <summary>
    /// The poller's reading of a job of such an engine: its recorded delivery's answer, or, with none yet, Running
    /// without a call to the upstream (there is nothing to ask).
    /// </summary>
    public async Task<PollAnswer> ReadAsync(UpstreamJob job, IDeliversByWebhook protocol, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(protocol);
        switch (await jobs.GetDeliveryAsync(job.TaskId, job.SubmissionKey, cancellationToken))
        {
            case null:
                return new PollAnswer.Running(0, null);
            case { Refusal: { } refusal }:
                return new PollAnswer.Failed(FailureKind.ServiceError, refusal, null);
            case { Body: { } body }:
                return protocol.Read(body, job.SubmissionKey) switch
                {
                    DeliveryReading.Final final => final.Answer,
                    DeliveryReading.Ignored ignored => new PollAnswer.Failed(FailureKind.ServiceError,
                        $"the upstream's recorded result delivery is unreadable: {ignored.Reason}", null),
                    _ => throw new InvalidOperationException("unknown reading"),
                };
            default:
                throw new InvalidOperationException($"the delivery of task {job.TaskId} has neither a body nor a refusal");
        }
    }

    /// <summary>Deletes a delivery once its task has ended (its results, if any, are re-hosted by then).</summary>
    public Task ForgetAsync(string taskId) => jobs.ForgetDeliveryAsync(taskId, CancellationToken.None);

    private async Task<bool> RecordAsync(UpstreamJob job, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var recorded = await jobs.RecordDeliveryAsync(job.TaskId, job.SubmissionKey, delivery, time.GetUtcNow(), cancellationToken);
        if (recorded)
        {
            signal.Notify();
        }
        return recorded;
    }

    /// <summary>The most bytes a delivery of this protocol may have under Easel's image limit.</summary>
    public long Limit(IDeliversByWebhook protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        return protocol.MaxDeliveryBytes(limits.MaxImageBytes);
    }

    private static string OutputsOf(long limit) => $"about {limit / (1024 * 1024)} MiB";

    /// <summary>The body, or null as soon as it passes <paramref name="limit"/> (the rest is never read).</summary>
    private static async Task<byte[]?> ReadLimitedAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
