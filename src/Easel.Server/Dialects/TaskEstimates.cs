using Easel.Core.Tasks;

namespace Easel.Server.Dialects;

internal static class TaskEstimates
{
    /// <summary>Seconds left: the recent mean for the operation, less the time the task has already run.</summary>
    public static async Task<int> RemainingSecondsAsync(this TaskService service, TaskRecord task, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(time);
        if (task.IsTerminal)
        {
            return 0;
        }
        var estimate = await service.EstimatedSecondsAsync(task.Operation.Kind, cancellationToken);
        if (task.StartedAt is not { } started)
        {
            return estimate;
        }
        var elapsed = (int)(time.GetUtcNow() - started).TotalSeconds;
        return Math.Max(1, estimate - elapsed);
    }
}
