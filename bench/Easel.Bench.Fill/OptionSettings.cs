using System.Globalization;
using Easel.Imaging.Synthesis;

namespace Easel.Bench.Fill;

// "--set FineIterations=1": ablations from the command line, so a figure in PERFORMANCE.md can be reproduced
// with one term changed. Names are SynthesisOptions' properties.
internal static class OptionSettings
{
    public static SynthesisOptions Apply(IReadOnlyList<string> settings)
    {
        var options = SynthesisOptions.Default with { };
        foreach (var setting in settings)
        {
            var parts = setting.Split('=', 2);
            var property = typeof(SynthesisOptions).GetProperty(parts[0])
                ?? throw new ArgumentException($"SynthesisOptions has no {parts[0]}.");
            property.SetValue(options, Convert.ChangeType(parts[1], property.PropertyType, CultureInfo.InvariantCulture));
            Console.Error.WriteLine($"easel with {parts[0]} = {parts[1]}");
        }

        return options;
    }
}
