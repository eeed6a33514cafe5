using Easel.Core.Tasks;
using Easel.Server.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Easel.Server.Health;

/// <summary>
/// A readiness check never waits longer than this, whatever hangs underneath (a locked database, a dead network
/// mount): a probe that times out is itself the answer.
/// </summary>
internal static class Readiness
{
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(1);

    public static async Task<HealthCheckResult> WithinTimeoutAsync(Func<CancellationToken, Task> probe, string failure, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(CheckTimeout);
        try
        {
            await probe(limit.Token).WaitAsync(limit.Token);
            return HealthCheckResult.Healthy();
        }
        catch (OperationCanceledException e) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"{failure}: no answer within {CheckTimeout.TotalMilliseconds:0} ms", e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The failure is the result: named in the answer, and the exception goes to the health check log.
            return HealthCheckResult.Unhealthy(failure, e);
        }
    }
}

/// <summary>The database answers a trivial query through the task store (the same path a request takes).</summary>
internal sealed class DatabaseCheck(ITaskStore tasks) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
        Readiness.WithinTimeoutAsync(ct => tasks.GetAsync("readiness-probe", ct), "the database did not answer a query", cancellationToken);
}

/// <summary>
/// The data directory and its files folder (results, uploads; not used with a bucket) take a new file: one is created
/// and deleted in each. A read-only or full volume, or a folder replaced by something else, fails here before a task fails.
/// </summary>
internal sealed class DataDirectoryCheck(IOptions<EaselOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(options.Value.DataDirectory);
        return Readiness.WithinTimeoutAsync(
            ct => Task.Run(() =>
            {
                Probe(root);
                if (!options.Value.Blobs.UsesS3)
                {
                    Probe(Path.Combine(root, "files"));
                }
            }, ct),
            "the data directory is not writable", cancellationToken);
    }

    private static void Probe(string folder)
    {
        var path = Path.Combine(folder, $".readiness-{Guid.NewGuid():N}");
        using (var probe = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            probe.WriteByte(0);
        }
        File.Delete(path);
    }
}

/// <summary>With Easel:Blobs:Provider s3: the bucket answers a HEAD with these credentials (results are stored and served there).</summary>
internal sealed class BucketCheck(Storage.Blobs.S3BlobStore bucket) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
        Readiness.WithinTimeoutAsync(bucket.CheckBucketAsync, "the bucket did not answer", cancellationToken);
}

/// <summary>The task worker and the callback worker are running (not starting, stopping, stopped or faulted).</summary>
internal sealed class WorkersCheck(WorkerStates states) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        var snapshot = states.Snapshot();
        var notRunning = snapshot.Where(s => s.Value != WorkerState.Running)
            .Select(s => $"{s.Key} is {s.Value.ToString().ToLowerInvariant()}")
            .ToList();
        var data = snapshot.ToDictionary(s => s.Key, s => (object)s.Value.ToString().ToLowerInvariant());
        return Task.FromResult(notRunning.Count == 0
            ? HealthCheckResult.Healthy(data: data)
            : HealthCheckResult.Unhealthy(string.Join("; ", notRunning), data: data));
    }
}

/// <summary>Not ready from the moment a stop begins (SIGTERM), so a load balancer drains the node during the grace period.</summary>
internal sealed class ShutdownCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("the node is shutting down")
            : HealthCheckResult.Healthy());
}
