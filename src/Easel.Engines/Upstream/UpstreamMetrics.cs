using System.Diagnostics.Metrics;
using Easel.Core.Observability;

namespace Easel.Engines.Upstream;

/// <summary>
/// Per-engine instruments on the "Easel" meter (so the host's view and exporters see them): jobs in flight on this
/// node, submissions by outcome and their time, polls by outcome, time from submission to a recorded result, cancels
/// sent upstream, and wake-ups by whether their token was good.
/// </summary>
public sealed class UpstreamMetrics
{
    private static readonly double[] SubmitBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    private static readonly double[] ResultBuckets = [1, 2.5, 5, 10, 20, 30, 45, 60, 90, 120, 300, 600, 1200];

    private readonly Counter<long> _submissions;
    private readonly Histogram<double> _submitTime;
    private readonly Counter<long> _polls;
    private readonly Histogram<double> _resultTime;
    private readonly Counter<long> _cancels;
    private readonly Counter<long> _wakeups;

    public UpstreamMetrics(EaselMetrics metrics, EngineLoad load)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(load);
        var meter = metrics.Meter;
        _submissions = meter.CreateCounter<long>("easel.upstream.submissions", "{submission}",
            "Submissions to upstream engines, by engine and outcome: accepted, refused, unavailable, unknown_after_crash");
        _submitTime = meter.CreateHistogram("easel.upstream.submit.duration", "s", "Time an upstream took to answer a submission, by engine",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SubmitBuckets });
        _polls = meter.CreateCounter<long>("easel.upstream.polls", "{poll}", "Polls of upstream jobs, by engine and outcome");
        _resultTime = meter.CreateHistogram("easel.upstream.result.duration", "s",
            "Time from an upstream's acceptance of a job to its result recorded here, by engine and outcome",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ResultBuckets });
        _cancels = meter.CreateCounter<long>("easel.upstream.cancels", "{cancel}", "Cancels sent to upstream engines, by engine and outcome");
        _wakeups = meter.CreateCounter<long>("easel.upstream.wakeups", "{wakeup}", "Wake-ups received from upstream engines, by outcome: polled, refused");
        meter.CreateObservableGauge("easel.upstream.in_flight", () => load.Snapshot()
            .Select(e => new Measurement<int>(e.Value, new KeyValuePair<string, object?>("engine", e.Key))),
            "{task}", "Tasks this node has on each upstream engine");
    }

    public void Submitted(string engine, string outcome, TimeSpan? took = null)
    {
        _submissions.Add(1, Engine(engine), Outcome(outcome));
        if (took is { } t)
        {
            _submitTime.Record(t.TotalSeconds, Engine(engine));
        }
    }

    public void Polled(string engine, string outcome) => _polls.Add(1, Engine(engine), Outcome(outcome));

    public void Finished(string engine, string outcome, TimeSpan sinceSubmission) =>
        _resultTime.Record(sinceSubmission.TotalSeconds, Engine(engine), Outcome(outcome));

    public void Cancelled(string engine, string outcome) => _cancels.Add(1, Engine(engine), Outcome(outcome));

    public void WokenUp(bool accepted) => _wakeups.Add(1, Outcome(accepted ? "polled" : "refused"));

    private static KeyValuePair<string, object?> Engine(string engine) => new("engine", engine);

    private static KeyValuePair<string, object?> Outcome(string outcome) => new("outcome", outcome);
}
