using System.Diagnostics.Metrics;
using Easel.Core.Observability;
using Easel.Core.Tasks;

namespace Easel.Server.Observability;

/// <summary>
/// Queue depth and the age of the oldest pending task. An observable gauge's callback is synchronous and must
/// not wait on the database, so each scrape first reads the store (one query on the pending index) and the
/// gauges then report that reading.
/// </summary>
internal sealed class TaskQueueGauges
{
    private readonly ITaskStore _store;
    private readonly TimeProvider _time;
    private volatile Reading? _last;

    public TaskQueueGauges(EaselMetrics metrics, ITaskStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
        metrics.Meter.CreateObservableGauge("easel.tasks.pending", () => Observe(r => r.Pending), "{task}",
            "Tasks waiting for a worker (queue depth)");
        metrics.Meter.CreateObservableGauge("easel.tasks.oldest_pending_age", () => Observe(r => r.OldestAgeSeconds), "s",
            "How long the oldest pending task has waited; 0 when none is waiting");
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var summary = await _store.PendingSummaryAsync(cancellationToken);
        var age = summary.OldestCreatedAt is { } oldest ? Math.Max(0, (_time.GetUtcNow() - oldest).TotalSeconds) : 0;
        _last = new Reading(summary.Count, age);
    }

    private IEnumerable<Measurement<double>> Observe(Func<Reading, double> value) =>
        _last is { } reading ? [new Measurement<double>(value(reading))] : [];

    private sealed record Reading(double Pending, double OldestAgeSeconds);
}
