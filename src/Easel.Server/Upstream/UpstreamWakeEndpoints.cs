using System.Security.Cryptography;
using System.Text;
using Easel.Core.Engines.Upstream;
using Easel.Engines.Upstream;

namespace Easel.Server.Upstream;

/// <summary>
/// The per-task URL an upstream calls when its job changes (the unified callback_url, the classic callback): the path
/// carries the task id and its unguessable token, and a call with the right token only moves the job's next poll to
/// now. The body is never read, let alone trusted: a forged or replayed call can at most cause one early poll, and a
/// wrong token is a 404 that says nothing about the task.
/// </summary>
internal static class UpstreamWakeEndpoints
{
    public static IEndpointRouteBuilder MapUpstreamWakeUps(this IEndpointRouteBuilder app)
    {
        app.MapPost(UpstreamLinks.WakeUpPath + "{taskId}/{token}", WakeAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> WakeAsync(string taskId, string token, IUpstreamJobStore jobs, UpstreamSignal signal,
        UpstreamMetrics metrics, TimeProvider time, CancellationToken cancellationToken)
    {
        var job = taskId.Length <= 100 && token.Length <= 100 ? await jobs.GetAsync(taskId, cancellationToken) : null;
        if (job is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(job.WakeToken), Encoding.UTF8.GetBytes(token)))
        {
            metrics.WokenUp(accepted: false);
            return TypedResults.NotFound();
        }
        // A finished job is not woken, but the upstream is still told 204 so that it stops retrying.
        await jobs.WakeAsync(taskId, time.GetUtcNow(), cancellationToken);
        signal.Notify();
        metrics.WokenUp(accepted: true);
        return TypedResults.NoContent();
    }
}
