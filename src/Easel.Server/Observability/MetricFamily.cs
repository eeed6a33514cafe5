using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Easel.Server.Observability;

internal enum MetricType { Counter, Gauge, Histogram }

/// <summary>How a measurement changes its series: added (counters, up-down counters) or set (observed values, gauges).</summary>
internal enum Aggregation { Sum, LastValue, Histogram }

/// <summary>
/// One metric family: its name, help and type, and one series per distinct label set. Measurements arrive on
/// any thread; each series guards its own numbers.
/// </summary>
internal sealed class MetricFamily(string name, string help, MetricType type, Aggregation aggregation, double[] bounds)
{
    private readonly ConcurrentDictionary<string, MetricSeries> _series = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public MetricType Type { get; } = type;

    /// <summary>Observed instruments report their whole state at each collection; what is not reported is gone.</summary>
    public bool Observed { get; init; }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        var series = _series.GetOrAdd(labels, static (l, b) => new MetricSeries(l, b), bounds);
        switch (aggregation)
        {
            case Aggregation.Sum:
                series.Add(value);
                break;
            case Aggregation.LastValue:
                series.Set(value);
                break;
            default:
                series.Observe(value);
                break;
        }
    }

    public void ClearSeries() => _series.Clear();

    public void WriteTo(StringBuilder text)
    {
        var series = _series.Values.OrderBy(s => s.Labels, StringComparer.Ordinal).ToList();
        if (series.Count == 0)
        {
            return;
        }
        text.Append("# HELP ").Append(Name).Append(' ').Append(PrometheusText.EscapeHelp(help)).Append('\n');
        text.Append("# TYPE ").Append(Name).Append(' ').Append(Type.ToString().ToLowerInvariant()).Append('\n');
        foreach (var s in series)
        {
            if (Type == MetricType.Histogram)
            {
                WriteHistogram(text, s);
            }
            else
            {
                Sample(text, Name, s.Labels, null, s.Value);
            }
        }
    }

    private void WriteHistogram(StringBuilder text, MetricSeries series)
    {
        var (buckets, sum, count) = series.Snapshot();
        long cumulative = 0;
        for (var i = 0; i < bounds.Length; i++)
        {
            cumulative += buckets[i];
            Sample(text, Name + "_bucket", series.Labels, PrometheusText.Value(bounds[i]), cumulative);
        }
        // +Inf is the total: by construction equal to _count, as the format requires.
        Sample(text, Name + "_bucket", series.Labels, "+Inf", count);
        Sample(text, Name + "_sum", series.Labels, null, sum);
        Sample(text, Name + "_count", series.Labels, null, count);
    }

    private static void Sample(StringBuilder text, string name, string labels, string? le, double value)
    {
        text.Append(name);
        if (labels.Length > 0 || le is not null)
        {
            text.Append('{').Append(labels);
            if (le is not null)
            {
                text.Append(labels.Length > 0 ? "," : "").Append("le=\"").Append(le).Append('"');
            }
            text.Append('}');
        }
        text.Append(' ').Append(PrometheusText.Value(value)).Append('\n');
    }

    // The series key is its rendered label set, names sorted, so the same tags in another order are the same series.
    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }
        var pairs = new List<(string Name, string Value)>(tags.Length);
        foreach (var tag in tags)
        {
            if (tag.Value is null)
            {
                continue;
            }
            var name = PrometheusText.LabelName(tag.Key);
            if (name == "le" || pairs.Exists(p => p.Name == name))
            {
                continue; // le belongs to the buckets; a second tag that sanitises to a taken name would duplicate a label
            }
            pairs.Add((name, Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? ""));
        }
        pairs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return string.Join(',', pairs.Select(p => $"{p.Name}=\"{PrometheusText.EscapeLabelValue(p.Value)}\""));
    }
}

/// <summary>One label set's numbers: a value (counter, gauge), or bucket counts, sum and count (histogram).</summary>
internal sealed class MetricSeries(string labels, double[] bounds)
{
    private readonly Lock _gate = new();
    private readonly long[] _buckets = new long[bounds.Length];
    private double _value;
    private double _sum;
    private long _count;

    public string Labels { get; } = labels;

    public double Value
    {
        get
        {
            lock (_gate)
            {
                return _value;
            }
        }
    }

    public void Add(double delta)
    {
        lock (_gate)
        {
            _value += delta;
        }
    }

    public void Set(double value)
    {
        lock (_gate)
        {
            _value = value;
        }
    }

    public void Observe(double value)
    {
        // Buckets are "less than or equal": the first bound that is not below the value takes it; above all, only +Inf.
        var index = Array.BinarySearch(bounds, value);
        if (index < 0)
        {
            index = ~index;
        }
        lock (_gate)
        {
            if (index < _buckets.Length)
            {
                _buckets[index]++;
            }
            _sum += value;
            _count++;
        }
    }

    public (long[] Buckets, double Sum, long Count) Snapshot()
    {
        lock (_gate)
        {
            return ((long[])_buckets.Clone(), _sum, _count);
        }
    }
}
