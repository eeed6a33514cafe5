namespace Easel.Core.Tasks;

public sealed class TaskRunnerOptions
{
    /// <summary>How long a claim holds without renewal; a node that dies loses its tasks to others after this.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a running task renews its lease, flushes progress and notices a cancel from another node.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A task that has been claimed this many times without finishing is failed rather than retried forever.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// On a graceful stop (SIGTERM), how long running tasks may take to finish; those still running then are stopped
    /// and put back to pending for another node or the next start.
    /// </summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(30);
}
