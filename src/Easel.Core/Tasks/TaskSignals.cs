using System.Collections.Concurrent;

namespace Easel.Core.Tasks;

/// <summary>Wakes a waiting loop at once, so new work does not wait for the next poll.</summary>
public abstract class Signal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

    public void Notify() => _signal.Release();

    /// <summary>Waits for a notification or the timeout, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose()
    {
        _signal.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Wakes idle workers when a task is created.</summary>
public sealed class WorkSignal : Signal;

/// <summary>Wakes the callback dispatcher when a finished task has a callback to send.</summary>
public sealed class CallbackSignal : Signal;

/// <summary>The tasks running on this node, so a cancel stops the engine at once rather than at the next lease check.</summary>
public sealed class RunningTasks
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new();

    public void Register(string taskId, CancellationTokenSource source) => _running[taskId] = source;

    public void Unregister(string taskId) => _running.TryRemove(taskId, out _);

    public void Cancel(string taskId)
    {
        if (_running.TryGetValue(taskId, out var source))
        {
            try
            {
                source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The run ended between the lookup and the cancel: nothing left to stop.
            }
        }
    }

    public int Count => _running.Count;
}
