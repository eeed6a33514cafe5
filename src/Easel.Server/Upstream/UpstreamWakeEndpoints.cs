using System.Security.Cryptography;
using System.Text;
using Easel.Core.Engines.Upstream;
using Easel.Engines.Upstream;
using Microsoft.AspNetCore.Http.Features;

namespace Easel.Server.Upstream;

/// <summary>
/// The per-task URL an upstream calls when its job changes (the unified callback_url, the classic callback, cog's
/// webhook): the path carries the task id and its unguessable token, and a call with the right token moves the job's
/// next poll to now. A wrong token is a 404 that says nothing about the task.
/// For the engines that can be polled the body is never read, let alone trusted: a forged or replayed call can at most
/// cause one early poll. An engine whose results come only by webhook (cog, <see cref="IDeliversByWebhook"/>) is the
/// deliberate exception: its terminal delivery is the answer, so the body is read (within the protocol's limit,
/// checked before reading) and recorded before the upstream is answered; the token is what makes it the upstream's.
/// </summary>
internal static class UpstreamWakeEndpoints
{
    public static IEndpointRouteBuilder MapUpstreamWakeUps(this IEndpointRouteBuilder app)
    {
        app.MapPost(UpstreamLinks.WakeUpPath + "{taskId}/{token}", WakeAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> WakeAsync(string taskId, string token, HttpContext http, IUpstreamJobStore jobs, UpstreamEngines engines,
        WebhookDeliveries deliveries, UpstreamSignal signal, UpstreamMetrics metrics, TimeProvider time, ILogger<WebhookDeliveries> logger,
        CancellationToken cancellationToken)
    {
        var job = taskId.Length <= 100 && token.Length <= 100 ? await jobs.GetAsync(taskId, cancellationToken) : null;
        if (job is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(job.WakeToken), Encoding.UTF8.GetBytes(token)))
        {
            metrics.WokenUp(accepted: false);
            return TypedResults.NotFound();
        }
        metrics.WokenUp(accepted: true);
        if (engines.Find(job.Engine)?.Protocol is IDeliversByWebhook byWebhook)
        {
            return await DeliverAsync(http, job, byWebhook, deliveries, logger, cancellationToken);
        }
        // A finished job is not woken, but the upstream is still told 204 so that it stops retrying.
        await jobs.WakeAsync(taskId, time.GetUtcNow(), cancellationToken);
        signal.Notify();
        return TypedResults.NoContent();
    }

    private static async Task<IResult> DeliverAsync(HttpContext http, UpstreamJob job, IDeliversByWebhook protocol, WebhookDeliveries deliveries,
        ILogger logger, CancellationToken cancellationToken)
    {
        // Kestrel's own limit (30 MB by default) would cut a delivery of four full-size images short: this request's is
        // the protocol's, enforced while streaming too, and the delivery reads no further than it either.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = deliveries.Limit(protocol) + 1;
        }
        try
        {
            var outcome = await deliveries.ReceiveAsync(job, protocol, http.Request.ContentLength, http.Request.Body, cancellationToken);
            // 413 is not among the statuses cog retries: the refusal is recorded and the task fails with it.
            return outcome == WebhookDeliveries.Outcome.TooLarge ? TypedResults.StatusCode(StatusCodes.Status413PayloadTooLarge) : TypedResults.NoContent();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Not recorded (the store, a body cut short): 503 is one of the statuses cog retries its terminal webhook on.
            logger.LogError(e, "Recording the webhook delivery of task {TaskId} failed; the upstream is asked to retry", job.TaskId);
            return TypedResults.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
    }
}
