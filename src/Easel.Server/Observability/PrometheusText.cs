using System.Globalization;
using System.Text;

namespace Easel.Server.Observability;

/// <summary>
/// The spelling rules of the Prometheus text exposition format 0.0.4: metric and label names, escaping of label
/// values and HELP text, and sample values.
/// </summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>
    /// The Prometheus name of an instrument: dots and other characters become underscores, the unit becomes a
    /// suffix (seconds, bytes), and a counter ends in _total, as the OpenTelemetry-to-Prometheus convention does.
    /// </summary>
    public static string MetricName(string instrumentName, string? unit, bool isCounter)
    {
        var name = Sanitize(instrumentName, allowColon: true);
        var suffix = unit switch
        {
            "s" => "seconds",
            "ms" => "milliseconds",
            "By" => "bytes",
            _ => null, // annotations in braces ({task}) and dimensionless units add nothing to the name
        };
        if (suffix is not null && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name += "_" + suffix;
        }
        if (isCounter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }
        return name;
    }

    /// <summary>A label name: [a-zA-Z_][a-zA-Z0-9_]*, and never the reserved __ prefix.</summary>
    public static string LabelName(string key)
    {
        var name = Sanitize(key, allowColon: false);
        return name.StartsWith("__", StringComparison.Ordinal) ? "x" + name : name;
    }

    private static string Sanitize(string text, bool allowColon)
    {
        if (text.Length == 0)
        {
            return "_";
        }
        var name = new StringBuilder(text.Length + 1);
        if (char.IsAsciiDigit(text[0]))
        {
            name.Append('_');
        }
        foreach (var c in text)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':') ? c : '_');
        }
        return name.ToString();
    }

    /// <summary>A label value inside double quotes: backslash, double quote and line feed are escaped.</summary>
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>HELP text: backslash and line feed are escaped (double quotes are not, in this format).</summary>
    public static string EscapeHelp(string help) =>
        help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    public static string Value(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
