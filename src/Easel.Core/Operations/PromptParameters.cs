using System.Globalization;

namespace Easel.Core.Operations;

/// <summary>
/// A Midjourney prompt read for an upstream that is not Midjourney (Stable Diffusion, the OpenAI Images API, ComfyUI,
/// cog models). Clients of a Midjourney-style API write Midjourney's parameters after the text ("a harbour --ar 16:9
/// --no people --seed 42 --v 7"); passed on as they are they would be painted as words. The text is what comes before
/// the first parameter; <c>--ar</c>/<c>--aspect</c> gives the shape, <c>--no</c> what to leave out, <c>--seed</c> the
/// seed; the rest (<c>--v</c>, <c>--stylize</c>, <c>--chaos</c>, speeds, ...) mean nothing to these models and are
/// dropped. A malformed value is dropped too: the prompt is the client's, and a non-Midjourney upstream has no way to
/// refuse it in Midjourney's terms. Midjourney-family upstreams get the prompt unchanged.
/// </summary>
public sealed record PromptParameters(string Text, string? Exclude, (int Width, int Height)? Aspect, long? Seed)
{
    /// <summary>The widest shape Midjourney takes either way (its --ar limit is beyond this; models go wrong sooner).</summary>
    private const int MaxAspectTerm = 100;

    public static PromptParameters Read(string? prompt)
    {
        var words = (prompt ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var first = Array.FindIndex(words, IsParameter);
        if (first < 0)
        {
            return new PromptParameters(string.Join(' ', words), null, null, null);
        }
        string? exclude = null;
        (int, int)? aspect = null;
        long? seed = null;
        for (var i = first; i < words.Length;)
        {
            var name = words[i][2..].ToLowerInvariant();
            var end = Array.FindIndex(words, i + 1, IsParameter);
            end = end < 0 ? words.Length : end;
            var value = string.Join(' ', words[(i + 1)..end]);
            switch (name)
            {
                case "ar" or "aspect":
                    aspect = Ratio(value) ?? aspect;
                    break;
                case "no" when value.Length > 0:
                    exclude = exclude is null ? value : $"{exclude}, {value}";
                    break;
                case "seed" or "sameseed" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s <= uint.MaxValue:
                    seed = s;
                    break;
            }
            i = end;
        }
        return new PromptParameters(string.Join(' ', words[..first]), exclude, aspect, seed);
    }

    /// <summary>
    /// The width and height of about <paramref name="area"/> pixels in this prompt's shape (square without --ar), each
    /// a multiple of <paramref name="multiple"/> within [<paramref name="min"/>, <paramref name="max"/>].
    /// </summary>
    public (int Width, int Height) SizeFor(int area, int multiple, int min, int max)
    {
        var (w, h) = Aspect ?? (1, 1);
        var width = Math.Sqrt((double)area * w / h);
        var height = width * h / w;
        int Fit(double side) => Math.Clamp((int)Math.Round(side / multiple) * multiple, min, max);
        return (Fit(width), Fit(height));
    }

    /// <summary>The configured size, or as many pixels in the shape --ar asks for (see <see cref="SizeFor"/>).</summary>
    public (int Width, int Height) SizeOr(int width, int height, int multiple, int min, int max) =>
        Aspect is null ? (width, height) : SizeFor(width * height, multiple, min, max);

    /// <summary>The configured negative prompt with --no's words after it.</summary>
    public string NegativeWith(string? configured) =>
        string.Join(", ", new[] { configured, Exclude }.Where(p => !string.IsNullOrEmpty(p)));

    // "--x" where x starts with a letter: a lone "--" or "--5" in the text stays text.
    private static bool IsParameter(string word) => word.Length > 2 && word.StartsWith("--", StringComparison.Ordinal) && char.IsAsciiLetter(word[2]);

    private static (int, int)? Ratio(string value)
    {
        var parts = value.Split(':');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w is > 0 and <= MaxAspectTerm
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var h) && h is > 0 and <= MaxAspectTerm
            ? (w, h) : null;
    }
}
