using Easel.Core.Tasks;
using Easel.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Easel.Server.Tasks;

/// <summary>
/// Keeps up to Workers tasks running on this node: claims one whenever a slot is free, waking at once when a
/// task is created here and polling every second for tasks created elsewhere or whose lease expired.
/// </summary>
internal sealed class TaskWorker(
    ITaskStore store,
    TaskRunner runner,
    WorkSignal signal,
    NodeIdentity node,
    IOptions<EaselOptions> options,
    TimeProvider time,
    ILogger<TaskWorker> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var workers = options.Value.Workers;
        var lease = options.Value.Tasks.LeaseDuration;
        using var slots = new SemaphoreSlim(workers, workers);
        var running = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken);
                ClaimedTask? claim;
                try
                {
                    claim = await store.ClaimNextAsync(node.Id, time.GetUtcNow(), lease, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The store is unreachable (disk full, locked): keep the node alive and try again.
                    slots.Release();
                    logger.LogError(e, "Claiming a task failed; retrying in {Interval}", PollInterval);
                    await Task.Delay(PollInterval, time, stoppingToken);
                    continue;
                }
                if (claim is null)
                {
                    slots.Release();
                    await signal.WaitAsync(PollInterval, stoppingToken);
                    continue;
                }
                running.RemoveAll(t => t.IsCompleted);
                running.Add(RunAndReleaseAsync(claim, slots, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: fall through to wait for the runs, which observe the same token.
        }
        await Task.WhenAll(running);
        // What could not finish goes back to pending now, so another node (or the next start) takes it at once.
        await store.ReleaseLeasesAsync(node.Id, CancellationToken.None);
    }

    private async Task RunAndReleaseAsync(ClaimedTask claim, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Yield();
            await runner.RunAsync(claim, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The runner records failures itself; this is the store failing while it did. The lease will expire
            // and the task will be claimed again, so the fault is logged, not swallowed.
            logger.LogError(e, "Running task {TaskId} failed outside the engine; it will be retried when its lease expires", claim.Task.Id);
        }
        finally
        {
            slots.Release();
        }
    }
}
