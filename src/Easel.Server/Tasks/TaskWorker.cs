using Easel.Core.Observability;
using Easel.Core.Tasks;
using Easel.Server.Health;
using Easel.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Easel.Server.Tasks;

/// <summary>
/// Keeps up to Workers tasks running on this node: claims one whenever a slot is free, waking at once when a
/// task is created here and polling every second for tasks created elsewhere or whose lease expired.
/// On a graceful stop it claims nothing more, lets running tasks finish within Tasks:ShutdownGracePeriod, then
/// stops the rest, whose runners put them back to pending (see TaskRunner).
/// </summary>
internal sealed class TaskWorker(
    ITaskStore store,
    TaskRunner runner,
    WorkSignal signal,
    NodeIdentity node,
    WorkerStates states,
    IOptions<EaselOptions> options,
    TimeProvider time,
    ILogger<TaskWorker> logger) : BackgroundService, IHostedLifecycleService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        states.Report(WorkerStates.Tasks, WorkerState.Running);
        var workers = options.Value.Workers;
        var lease = options.Value.Tasks.LeaseDuration;
        using var slots = new SemaphoreSlim(workers, workers);
        // Runs do not observe stoppingToken: a stop ends the claiming at once, but the runs only when the grace ends.
        using var graceOver = new CancellationTokenSource();
        var running = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken);
                ClaimedTask? claim;
                var claimStarted = time.GetUtcNow();
                try
                {
                    claim = await store.ClaimNextAsync(node.Id, claimStarted, lease, stoppingToken);
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
                running.Add(RunAndReleaseAsync(claim, claimStarted, slots, graceOver.Token));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: claim nothing more; drain below.
        }
        catch (Exception e)
        {
            states.Report(WorkerStates.Tasks, WorkerState.Faulted);
            logger.LogCritical(e, "The task worker stopped claiming because of an unexpected error");
            throw;
        }
        states.Report(WorkerStates.Tasks, WorkerState.Stopping);
        await DrainAsync(running, graceOver);
        states.Report(WorkerStates.Tasks, WorkerState.Stopped);
    }

    private async Task DrainAsync(List<Task> running, CancellationTokenSource graceOver)
    {
        running.RemoveAll(t => t.IsCompleted);
        if (running.Count == 0)
        {
            return;
        }
        var grace = options.Value.Tasks.ShutdownGracePeriod;
        logger.LogInformation("Stopping: waiting up to {Grace} for {Count} running tasks", grace, running.Count);
        var all = Task.WhenAll(running);
        if (await Task.WhenAny(all, Task.Delay(grace, time, CancellationToken.None)) != all)
        {
            logger.LogWarning("Stopping: {Count} tasks did not finish within {Grace}; stopping them and putting them back to pending",
                running.Count(t => !t.IsCompleted), grace);
            await graceOver.CancelAsync();
        }
        await all;
    }

    private async Task RunAndReleaseAsync(ClaimedTask claim, DateTimeOffset claimStarted, SemaphoreSlim slots, CancellationToken graceOver)
    {
        // The run's span (and the claim's, now that it is known which task was claimed) continue the create
        // request's trace; the runner's stages are its children. Empty claims (polls) make no span.
        using var run = EaselTracing.StartRun(claim.Task, claimStarted, time.GetUtcNow(), node.Id);
        try
        {
            await Task.Yield();
            await runner.RunAsync(claim, graceOver);
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

    // The host calls every StoppingAsync before it stops any service, the web server included: draining here keeps
    // /readyz answering (503) while running tasks finish, so a load balancer sees the node leave.
    public Task StoppingAsync(CancellationToken cancellationToken) => StopAsync(cancellationToken);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
