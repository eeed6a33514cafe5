using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace Easel.Server.Observability;

/// <summary>
/// Our own Prometheus exporter (OpenTelemetry's is not in the package mirror): a MeterListener that aggregates
/// the instruments of Easel's meters, created by this host's <see cref="IMeterFactory"/>, and renders them in the
/// text exposition format. Counters and up-down counters add, histograms count into fixed buckets (the
/// instrument's advice, or Prometheus' defaults), observable instruments are read at each scrape.
/// </summary>
internal sealed class MetricsCollector : IDisposable
{
    // Prometheus client libraries' default buckets, in seconds, for a histogram that advises none.
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly IMeterFactory _factory;
    private readonly ILogger<MetricsCollector> _logger;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly Lock _scrape = new();

    public MetricsCollector(IMeterFactory factory, ILogger<MetricsCollector> logger)
    {
        _factory = factory;
        _logger = logger;
        _listener.InstrumentPublished = Publish;
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments, then renders every family with at least one series.</summary>
    public string Render()
    {
        lock (_scrape)
        {
            foreach (var family in _families.Values.Where(f => f.Observed))
            {
                family.ClearSeries();
            }
            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                family.WriteTo(text);
            }
            return text.ToString();
        }
    }

    private void Publish(Instrument instrument, MeterListener listener)
    {
        // Only this host's meters: several hosts share a process in the tests, and each listener sees them all.
        if (!ReferenceEquals(instrument.Meter.Scope, _factory) || !instrument.Meter.Name.StartsWith("Easel", StringComparison.Ordinal))
        {
            return;
        }
        var kind = Describe(instrument);
        if (kind is null)
        {
            _logger.LogWarning("Metric instrument {Instrument} is of a kind the exporter does not know; it is not exported", instrument.Name);
            return;
        }
        var (type, aggregation, observed) = kind.Value;
        var name = PrometheusText.MetricName(instrument.Name, instrument.Unit, type == MetricType.Counter);
        var bounds = type == MetricType.Histogram ? BucketsOf(instrument) : [];
        var family = _families.GetOrAdd(name, _ => new MetricFamily(name, instrument.Description ?? instrument.Name, type, aggregation, bounds) { Observed = observed });
        if (family.Type != type || family.Observed != observed)
        {
            _logger.LogWarning("Metric instrument {Instrument} maps to {Name}, already taken by another kind of metric; it is not exported", instrument.Name, name);
            return;
        }
        listener.EnableMeasurementEvents(instrument, family);
    }

    private static (MetricType Type, Aggregation Aggregation, bool Observed)? Describe(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }
        var definition = type.GetGenericTypeDefinition();
        return definition switch
        {
            _ when definition == typeof(Counter<>) => (MetricType.Counter, Aggregation.Sum, false),
            _ when definition == typeof(UpDownCounter<>) => (MetricType.Gauge, Aggregation.Sum, false),
            _ when definition == typeof(Histogram<>) => (MetricType.Histogram, Aggregation.Histogram, false),
            _ when definition == typeof(Gauge<>) => (MetricType.Gauge, Aggregation.LastValue, false),
            // An observable counter reports its running total, not an increment.
            _ when definition == typeof(ObservableCounter<>) => (MetricType.Counter, Aggregation.LastValue, true),
            _ when definition == typeof(ObservableUpDownCounter<>) => (MetricType.Gauge, Aggregation.LastValue, true),
            _ when definition == typeof(ObservableGauge<>) => (MetricType.Gauge, Aggregation.LastValue, true),
            _ => null,
        };
    }

    private static double[] BucketsOf(Instrument instrument)
    {
        IEnumerable<double>? advised = instrument switch
        {
            Instrument<double> { Advice.HistogramBucketBoundaries: { Count: > 0 } b } => b,
            Instrument<long> { Advice.HistogramBucketBoundaries: { Count: > 0 } b } => b.Select(x => (double)x),
            Instrument<int> { Advice.HistogramBucketBoundaries: { Count: > 0 } b } => b.Select(x => (double)x),
            _ => null,
        };
        // Ascending and distinct, or the cumulative counts would not be monotone.
        return advised is null ? DefaultBuckets : [.. advised.Where(double.IsFinite).Distinct().Order()];
    }

    public void Dispose() => _listener.Dispose();
}
