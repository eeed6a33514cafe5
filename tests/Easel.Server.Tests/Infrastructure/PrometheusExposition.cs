using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Easel.Server.Tests.Infrastructure;

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4, written from the format's rules (not from our
/// exporter): it throws <see cref="FormatException"/> on the first rule an exposition breaks, and otherwise gives
/// back its families and samples for tests to read numbers from.
/// </summary>
public sealed partial class PrometheusExposition
{
    private readonly Dictionary<string, Family> _families = new(StringComparer.Ordinal);

    private PrometheusExposition()
    {
    }

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public sealed class Family(string name)
    {
        public string Name { get; } = name;
        public string? Type { get; set; }
        public string? Help { get; set; }
        public List<Sample> Samples { get; } = [];
    }

    public IReadOnlyDictionary<string, Family> Families => _families;

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    public static PrometheusExposition Parse(string text)
    {
        var exposition = new PrometheusExposition();
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the exposition must end with a line feed");
        }
        var seenSeries = new HashSet<string>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal); // families whose samples have ended (groups must be contiguous)
        string? current = null;
        var lineNumber = 0;
        foreach (var line in text.Split('\n')[..^1])
        {
            lineNumber++;
            string Where() => $"line {lineNumber}: {line}";
            if (line.Length == 0)
            {
                continue;
            }
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[1] is "HELP" or "TYPE")
                {
                    var name = parts[2];
                    if (!MetricName().IsMatch(name))
                    {
                        throw new FormatException($"invalid metric name in {Where()}");
                    }
                    var family = exposition.FamilyNamed(name);
                    if (finished.Contains(name) || (current == name && family.Samples.Count > 0))
                    {
                        throw new FormatException($"{parts[1]} after the samples of {name}: {Where()}");
                    }
                    if (parts[1] == "TYPE")
                    {
                        if (family.Type is not null)
                        {
                            throw new FormatException($"a second TYPE for {name}: {Where()}");
                        }
                        family.Type = parts.Length == 4 ? parts[3] : throw new FormatException($"TYPE without a type: {Where()}");
                        if (family.Type is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                        {
                            throw new FormatException($"unknown type: {Where()}");
                        }
                    }
                    else
                    {
                        if (family.Help is not null)
                        {
                            throw new FormatException($"a second HELP for {name}: {Where()}");
                        }
                        family.Help = UnescapeHelp(parts.Length == 4 ? parts[3] : "", Where);
                    }
                    SwitchTo(name);
                }
                continue; // any other comment is allowed and ignored
            }
            var sample = ParseSample(line, Where);
            var owner = exposition.OwnerOf(sample.Name)
                ?? throw new FormatException($"sample of an undeclared family (no TYPE before it): {Where()}");
            SwitchTo(owner.Name);
            var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
            if (!seenSeries.Add(key))
            {
                throw new FormatException($"duplicate series {key}: {Where()}");
            }
            owner.Samples.Add(sample);
        }
        foreach (var family in exposition._families.Values)
        {
            Check(family);
        }
        return exposition;

        void SwitchTo(string name)
        {
            if (current is not null && current != name)
            {
                finished.Add(current);
            }
            if (finished.Contains(name))
            {
                throw new FormatException($"the lines of {name} are not contiguous");
            }
            current = name;
        }
    }

    private Family FamilyNamed(string name)
    {
        if (!_families.TryGetValue(name, out var family))
        {
            family = new Family(name);
            _families[name] = family;
        }
        return family;
    }

    private Family? OwnerOf(string sampleName)
    {
        if (_families.TryGetValue(sampleName, out var exact) && exact.Type is not null and not "histogram" and not "summary")
        {
            return exact;
        }
        foreach (var suffix in (string[])["_bucket", "_sum", "_count"])
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal)
                && _families.TryGetValue(sampleName[..^suffix.Length], out var family) && family.Type == "histogram")
            {
                return family;
            }
        }
        return null;
    }

    private static void Check(Family family)
    {
        if (family.Type is null)
        {
            throw new FormatException($"{family.Name} has no TYPE");
        }
        if (family.Type == "counter" && family.Samples.Any(s => s.Value < 0 || double.IsNaN(s.Value)))
        {
            throw new FormatException($"counter {family.Name} has a negative or NaN value");
        }
        if (family.Type != "histogram")
        {
            return;
        }
        foreach (var series in family.Samples.GroupBy(s => SeriesKey(s.Labels)))
        {
            var buckets = series.Where(s => s.Name == family.Name + "_bucket").ToList();
            var count = series.SingleOrDefault(s => s.Name == family.Name + "_count")
                ?? throw new FormatException($"{family.Name}{{{series.Key}}} has no _count");
            _ = series.SingleOrDefault(s => s.Name == family.Name + "_sum")
                ?? throw new FormatException($"{family.Name}{{{series.Key}}} has no _sum");
            if (buckets.Any(b => !b.Labels.ContainsKey("le")))
            {
                throw new FormatException($"{family.Name}{{{series.Key}}} has a bucket without le");
            }
            var bounds = buckets.Select(b => ParseValue(b.Labels["le"], () => $"le of {family.Name}")).ToList();
            if (bounds.Count == 0 || !double.IsPositiveInfinity(bounds[^1]))
            {
                throw new FormatException($"{family.Name}{{{series.Key}}} does not end with le=\"+Inf\"");
            }
            for (var i = 1; i < buckets.Count; i++)
            {
                if (!(bounds[i] > bounds[i - 1]))
                {
                    throw new FormatException($"{family.Name}{{{series.Key}}} buckets are not in increasing le order");
                }
                if (buckets[i].Value < buckets[i - 1].Value)
                {
                    throw new FormatException($"{family.Name}{{{series.Key}}} bucket counts are not cumulative (le={buckets[i].Labels["le"]})");
                }
            }
            if (buckets[^1].Value != count.Value)
            {
                throw new FormatException($"{family.Name}{{{series.Key}}}: le=\"+Inf\" is {buckets[^1].Value} but _count is {count.Value}");
            }
        }
    }

    private static string SeriesKey(IReadOnlyDictionary<string, string> labels) =>
        string.Join(",", labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    private static Sample ParseSample(string line, Func<string> where)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ')
        {
            i++;
        }
        var name = line[..i];
        if (!MetricName().IsMatch(name))
        {
            throw new FormatException($"invalid metric name: {where()}");
        }
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i < line.Length && line[i] == '}')
                {
                    i++;
                    break;
                }
                var equals = line.IndexOf('=', i);
                if (equals < 0)
                {
                    throw new FormatException($"label without '=': {where()}");
                }
                var labelName = line[i..equals];
                if (!LabelName().IsMatch(labelName) || labelName.StartsWith("__", StringComparison.Ordinal))
                {
                    throw new FormatException($"invalid label name '{labelName}': {where()}");
                }
                i = equals + 1;
                if (i >= line.Length || line[i] != '"')
                {
                    throw new FormatException($"label value not quoted: {where()}");
                }
                i++;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new FormatException($"unterminated label value: {where()}");
                    }
                    var c = line[i++];
                    if (c == '"')
                    {
                        break;
                    }
                    if (c == '\\')
                    {
                        var escaped = i < line.Length ? line[i++] : throw new FormatException($"dangling backslash: {where()}");
                        value.Append(escaped switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException($"invalid escape \\{escaped} in a label value: {where()}"),
                        });
                        continue;
                    }
                    value.Append(c);
                }
                if (!labels.TryAdd(labelName, value.ToString()))
                {
                    throw new FormatException($"label {labelName} twice: {where()}");
                }
                if (i < line.Length && line[i] == ',')
                {
                    i++;
                }
                else if (i >= line.Length || line[i] != '}')
                {
                    throw new FormatException($"expected ',' or '}}' after a label: {where()}");
                }
            }
        }
        if (i >= line.Length || line[i] != ' ')
        {
            throw new FormatException($"no value: {where()}");
        }
        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2 || (rest.Length == 2 && !long.TryParse(rest[1], CultureInfo.InvariantCulture, out _)))
        {
            throw new FormatException($"expected a value and an optional integer timestamp: {where()}");
        }
        return new Sample(name, labels, ParseValue(rest[0], where));
    }

    private static double ParseValue(string text, Func<string> where) => text switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) => v,
        _ => throw new FormatException($"invalid value '{text}': {where()}"),
    };

    private static string UnescapeHelp(string help, Func<string> where)
    {
        var text = new StringBuilder();
        for (var i = 0; i < help.Length; i++)
        {
            if (help[i] != '\\')
            {
                text.Append(help[i]);
                continue;
            }
            if (++i >= help.Length)
            {
                throw new FormatException($"dangling backslash in HELP: {where()}");
            }
            text.Append(help[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                _ => throw new FormatException($"invalid escape in HELP: {where()}"),
            });
        }
        return text.ToString();
    }

    /// <summary>The sum of the samples of this name whose labels include these (0 when there are none).</summary>
    public double Value(string sampleName, params (string Name, string Value)[] labels) =>
        Samples(sampleName, labels).Sum(s => s.Value);

    public IEnumerable<Sample> Samples(string sampleName, params (string Name, string Value)[] labels) =>
        _families.Values.SelectMany(f => f.Samples)
            .Where(s => s.Name == sampleName && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value));
}
