using System.Globalization;

namespace Easel.Engines.Upstream;

/// <summary>
/// The numbers of an engine's Options, read the same way for every protocol: absent gives the default, a value out of
/// its range or not a number is a start-up problem that says the range (and the default stands in while the rest of
/// the entry is checked).
/// </summary>
internal static class OptionValues
{
    public static int Integer(IReadOnlyDictionary<string, string> options, string name, int fallback, int least, int most, Action<string> problem)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(problem);
        if (!options.TryGetValue(name, out var text))
        {
            return fallback;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= least && value <= most)
        {
            return value;
        }
        problem($"Options:{name} is '{text}'; it is a whole number from {least} to {most}");
        return fallback;
    }

    public static decimal Number(IReadOnlyDictionary<string, string> options, string name, decimal fallback, decimal least, decimal most, Action<string> problem)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(problem);
        if (!options.TryGetValue(name, out var text))
        {
            return fallback;
        }
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value >= least && value <= most)
        {
            return value;
        }
        problem($"Options:{name} is '{text}'; it is a number from {least.ToString(CultureInfo.InvariantCulture)} to {most.ToString(CultureInfo.InvariantCulture)}");
        return fallback;
    }

    /// <summary>A strength or other share, from 0 to 1.</summary>
    public static decimal Number(IReadOnlyDictionary<string, string> options, string name, decimal fallback, Action<string> problem) =>
        Number(options, name, fallback, 0m, 1m, problem);
}
