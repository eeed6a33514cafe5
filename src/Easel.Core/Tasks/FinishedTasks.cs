using System.Collections.Concurrent;

namespace Easel.Core.Tasks;

/// <summary>
/// Finished tasks read lately, served from memory: they are read over and over (polls that overshoot, chains, result
/// links), and a finished task's state never changes again (no transition leaves a terminal state). Only its files can
/// still go (retention, or its client's delete, perhaps on another node): so an entry is trusted for a few seconds, and
/// the node that deletes a task's files forgets it at once.
/// </summary>
public sealed class FinishedTasks(TimeProvider time)
{
    private const int MaxEntries = 20_000;
    private static readonly TimeSpan TrustedFor = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (TaskRecord Task, long Stamp)> _tasks = new(StringComparer.Ordinal);

    public bool TryGet(string taskId, out TaskRecord task)
    {
        if (_tasks.TryGetValue(taskId, out var entry) && time.GetElapsedTime(entry.Stamp) < TrustedFor)
        {
            task = entry.Task;
            return true;
        }
        task = null!;
        return false;
    }

    public void Remember(TaskRecord task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!task.IsTerminal)
        {
            return;
        }
        if (_tasks.Count >= MaxEntries)
        {
            _tasks.Clear();
        }
        _tasks[task.Id] = (task, time.GetTimestamp());
    }

    public void Forget(IEnumerable<string> taskIds)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        foreach (var id in taskIds)
        {
            _tasks.TryRemove(id, out _);
        }
    }
}
