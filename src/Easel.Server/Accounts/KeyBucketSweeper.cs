using Easel.Storage.Postgres;

namespace Easel.Server.Accounts;

/// <summary>
/// Scale-out mode's housekeeping of the shared token buckets: every hour, the rows that have refilled to their key's
/// burst (which read exactly as no row) and those of keys revoked or without a rate are deleted, so key_buckets holds
/// the keys used lately, not every key ever used. Every node runs it; the DELETE is idempotent, so no turn is taken.
/// </summary>
internal sealed class KeyBucketSweeper(PostgresKeyRateLimiter buckets, TimeProvider time, ILogger<KeyBucketSweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken);
                var deleted = await buckets.SweepAsync(stoppingToken);
                logger.LogDebug("Deleted {Buckets} full or unused rate-limit buckets", deleted);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database is unreachable: the rows stay (they only take room) and the next hour tries again.
                logger.LogError(e, "Sweeping the rate-limit buckets failed; it is tried again in {Interval}", Interval);
            }
        }
    }
}
