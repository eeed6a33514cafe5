using Easel.Core.Retention;

namespace Easel.Server.Retention;

/// <summary>
/// Sweeps every Easel:Retention:Interval (the first one interval after start, so a fleet restarting together does not
/// sweep at once): blobs listed but not yet deleted, then, with Easel:Retention:Days set, the files of tasks finished
/// longer ago. Every node runs this worker; the store gives one node at a time the turn (a PostgreSQL advisory lock),
/// so the fleet sweeps once per interval per node that wins it, never twice at the same moment.
/// </summary>
internal sealed class RetentionWorker(TaskFiles files, RetentionOptions options, TimeProvider time, ILogger<RetentionWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Interval, time, stoppingToken);
                var released = await files.SweepAsync(stoppingToken);
                if (released is null)
                {
                    logger.LogDebug("Retention sweep skipped: another node is sweeping");
                }
                else if (released > 0)
                {
                    logger.LogInformation("Retention sweep deleted the files of {Tasks} tasks", released);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The store or the blob store failed (a database or bucket outage): what was listed stays listed, and
                // the next sweep goes on from there. Logged as an error, not swallowed.
                logger.LogError(e, "Retention sweep failed; it is tried again in {Interval}", options.Interval);
            }
        }
    }
}
