using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Easel.Cli.Tasks;

/// <summary>A width and height, written WxH.</summary>
internal readonly record struct Size(int Width, int Height);

/// <summary>An image's size and the canvas position of its top-left corner, written WxH+X+Y (X and Y may be negative: WxH-10+20).</summary>
internal readonly record struct Placement(int Width, int Height, int X, int Y);

/// <summary>
/// The command line's spellings of the request's geometry. Only the syntax is checked here; the limits
/// (sizes, overlap, point counts) are the server's rules and come back as its 400 with the field named.
/// </summary>
internal static partial class Geometry
{
    [GeneratedRegex(@"^(\d+)x(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex SizePattern();

    [GeneratedRegex(@"^(\d+)x(\d+)(?:([+-]\d+)([+-]\d+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex PlacementPattern();

    public static Size? ParseSize(ArgumentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = result.Tokens.Single().Value;
        var match = SizePattern().Match(text);
        if (match.Success && TryInt(match.Groups[1].Value, out var w) && TryInt(match.Groups[2].Value, out var h))
        {
            return new Size(w, h);
        }
        result.AddError($"{NameOf(result)} must be WIDTHxHEIGHT in pixels, e.g. 1024x1024, not '{text}'");
        return null;
    }

    public static Placement? ParsePlacement(ArgumentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = result.Tokens.Single().Value;
        var match = PlacementPattern().Match(text);
        if (match.Success && TryInt(match.Groups[1].Value, out var w) && TryInt(match.Groups[2].Value, out var h))
        {
            var x = 0;
            var y = 0;
            if (!match.Groups[3].Success || (TryInt(match.Groups[3].Value, out x) && TryInt(match.Groups[4].Value, out y)))
            {
                return new Placement(w, h, x, y);
            }
        }
        result.AddError($"{NameOf(result)} must be WIDTHxHEIGHT+X+Y in pixels, e.g. 512x512+256+256 or 512x512-64+0, not '{text}'");
        return null;
    }

    /// <summary>One polygon: x1,y1,x2,y2,... as integers (one token of a repeated option).</summary>
    public static int[]? ParsePoints(ArgumentResult result, string text)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var points = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryInt(parts[i], out points[i]))
            {
                result.AddError($"{NameOf(result)} must be x1,y1,x2,y2,... as integers, not '{text}'");
                return null;
            }
        }
        if (points.Length % 2 != 0)
        {
            result.AddError($"{NameOf(result)} needs pairs of coordinates; '{text}' has an odd count");
            return null;
        }
        return points;
    }

    private static bool TryInt(string text, out int value) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static string NameOf(ArgumentResult result) =>
        result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;
}
