using System.Globalization;
using Easel.Imaging.Geometry;

namespace Easel.Bench.Upscale;

// "--set Iterations=3": one knob changed from the command line, so a tuning figure can be reproduced. Names are
// UpscaleOptions' properties.
internal static class OptionSettings
{
    public static UpscaleOptions Apply(IReadOnlyList<string> settings)
    {
        var options = UpscaleOptions.Default with { };
        foreach (var setting in settings)
        {
            var parts = setting.Split('=', 2);
            var property = typeof(UpscaleOptions).GetProperty(parts[0])
                ?? throw new ArgumentException($"UpscaleOptions has no {parts[0]}.");
            var value = property.PropertyType.IsEnum
                ? Enum.Parse(property.PropertyType, parts[1], ignoreCase: true)
                : Convert.ChangeType(parts[1], property.PropertyType, CultureInfo.InvariantCulture);
            property.SetValue(options, value);
            Console.Error.WriteLine($"upscaler with {parts[0]} = {parts[1]}");
        }

        return options;
    }
}
