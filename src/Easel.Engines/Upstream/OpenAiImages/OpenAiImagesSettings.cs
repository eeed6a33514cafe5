using System.Globalization;

namespace Easel.Engines.Upstream.OpenAiImages;

/// <summary>
/// An openai-images engine's Options (README "Engines"): Model (default gpt-image-1), SingleImage (one image per call,
/// as dall-e-3 allows; default true for dall-e-3 only), Size (a fixed WxH sent as it is, for a look-alike that takes
/// any; default the model's allowed size nearest the image's shape) and FailFastWindow (how long a submission waits
/// for a quick refusal before it is accepted; default 2 s).
/// </summary>
public sealed record OpenAiImagesSettings(string Model, bool SingleImage, string? Size, TimeSpan FailFastWindow, TimeSpan TaskTimeout)
{
    public const string DefaultModel = "gpt-image-1";

    /// <summary>Reads the options; the problems name the option and say what to write.</summary>
    public static OpenAiImagesSettings Read(IReadOnlyDictionary<string, string> options, TimeSpan taskTimeout, Action<string> problem)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(problem);
        var model = options.GetValueOrDefault("Model", DefaultModel).Trim();
        if (model.Length is 0 or > 100)
        {
            problem("Options:Model must be a model name, e.g. gpt-image-1 or dall-e-3");
        }
        var single = model == "dall-e-3";
        if (options.TryGetValue("SingleImage", out var text) && !bool.TryParse(text, out single))
        {
            problem($"Options:SingleImage is '{text}'; it is true or false");
        }
        var size = options.GetValueOrDefault("Size");
        if (size is not null && ParseSize(size) is null)
        {
            problem($"Options:Size is '{size}'; it is WIDTHxHEIGHT, e.g. 1024x1024");
        }
        var window = TimeSpan.FromSeconds(2);
        if (options.TryGetValue("FailFastWindow", out var windowText)
            && (!TimeSpan.TryParse(windowText, CultureInfo.InvariantCulture, out window) || window < TimeSpan.Zero || window > TimeSpan.FromSeconds(30)))
        {
            problem($"Options:FailFastWindow is '{windowText}'; it is 00:00:00 to 00:00:30");
        }
        return new OpenAiImagesSettings(model, single, size, window, taskTimeout);
    }

    /// <summary>Whether the model takes response_format (dall-e models answer URLs unless told; gpt-image always base64).</summary>
    public bool TakesResponseFormat => Model.StartsWith("dall-e", StringComparison.Ordinal);

    /// <summary>The size to ask for: the override, or the model's allowed size whose shape is nearest the image's.</summary>
    public string SizeFor(int width, int height)
    {
        if (Size is not null)
        {
            return Size;
        }
        string[] allowed = Model switch
        {
            "dall-e-2" => ["1024x1024"],
            "dall-e-3" => ["1024x1024", "1792x1024", "1024x1792"],
            _ => ["1024x1024", "1536x1024", "1024x1536"],
        };
        var shape = Math.Log((double)width / height);
        return allowed.MinBy(a => ParseSize(a) is var (w, h) ? Math.Abs(Math.Log((double)w / h) - shape) : double.MaxValue)!;
    }

    private static (int Width, int Height)? ParseSize(string text)
    {
        var parts = text.Split('x');
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var w)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var h) && w is > 0 and <= 8192 && h is > 0 and <= 8192
            ? (w, h) : null;
    }
}
