using System.Collections.Concurrent;

namespace Easel.Server.Health;

internal enum WorkerState { Starting, Running, Stopping, Stopped, Faulted }

/// <summary>
/// What each background worker of this node says it is doing, for readiness: a node whose task or callback worker
/// is not running accepts work it will never do, so it must not be sent any.
/// </summary>
internal sealed class WorkerStates
{
    public const string Tasks = "task_worker";
    public const string Callbacks = "callback_worker";

    private readonly ConcurrentDictionary<string, WorkerState> _states = new(StringComparer.Ordinal)
    {
        [Tasks] = WorkerState.Starting,
        [Callbacks] = WorkerState.Starting,
    };

    public void Report(string worker, WorkerState state) => _states[worker] = state;

    public IReadOnlyDictionary<string, WorkerState> Snapshot() => new Dictionary<string, WorkerState>(_states, StringComparer.Ordinal);
}
