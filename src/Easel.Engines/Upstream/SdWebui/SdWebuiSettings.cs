using System.Globalization;
using static Easel.Engines.Upstream.OptionValues;

namespace Easel.Engines.Upstream.SdWebui;

/// <summary>
/// An sd-webui engine's Options (README "Engines"): NegativePrompt, Steps (default 30), CfgScale (default 7), Width and
/// Height of imagine (default 1024x1024, multiples of 8 as A1111 requires), Sampler (sampler_name; the server's default
/// when absent), Checkpoint (override_settings.sd_model_checkpoint; the loaded model when absent), the denoising
/// strengths of the image operations (DenoisingRemixStrong 0.75, DenoisingRemixSubtle 0.45, DenoisingVariationStrong
/// 0.6, DenoisingVariationSubtle 0.35, DenoisingInpaint 0.75 for inpaint, edit and upload-paint, DenoisingOutpaint 0.75
/// for outpaint and pan) and FailFastWindow (how long a submission waits for a quick refusal; default 2 s).
/// </summary>
public sealed record SdWebuiSettings(
    string NegativePrompt,
    int Steps,
    decimal CfgScale,
    int Width,
    int Height,
    string? Sampler,
    string? Checkpoint,
    IReadOnlyDictionary<string, decimal> Denoising,
    TimeSpan FailFastWindow,
    TimeSpan TaskTimeout)
{
    /// <summary>The sides A1111 renders (its UI's bounds).</summary>
    public const int MinSide = 64;
    public const int MaxSide = 4096;

    /// <summary>The denoising strengths by option name, with the defaults chosen in issue 17.</summary>
    public static IReadOnlyDictionary<string, decimal> DefaultDenoising { get; } = new Dictionary<string, decimal>(StringComparer.Ordinal)
    {
        ["DenoisingRemixStrong"] = 0.75m,
        ["DenoisingRemixSubtle"] = 0.45m,
        ["DenoisingVariationStrong"] = 0.6m,
        ["DenoisingVariationSubtle"] = 0.35m,
        ["DenoisingInpaint"] = 0.75m,
        ["DenoisingOutpaint"] = 0.75m,
    };

    /// <summary>Reads the options; the problems name the option and say what to write.</summary>
    public static SdWebuiSettings Read(IReadOnlyDictionary<string, string> options, TimeSpan taskTimeout, Action<string> problem)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(problem);
        var negative = options.GetValueOrDefault("NegativePrompt", "");
        if (negative.Length > 4000)
        {
            problem("Options:NegativePrompt is over 4000 characters");
        }
        var steps = Integer(options, "Steps", 30, 1, 150, problem);
        var cfg = Number(options, "CfgScale", 7m, 1m, 30m, problem);
        var width = Integer(options, "Width", 1024, MinSide, MaxSide, problem);
        var height = Integer(options, "Height", 1024, MinSide, MaxSide, problem);
        if (width % 8 != 0 || height % 8 != 0)
        {
            problem($"Options:Width and Options:Height are {width}x{height}; A1111 renders multiples of 8, e.g. 1024x1024");
        }
        var sampler = Name(options, "Sampler", "a sampler's name as GET /sdapi/v1/samplers lists it, e.g. Euler a", problem);
        var checkpoint = Name(options, "Checkpoint", "a checkpoint's title as GET /sdapi/v1/sd-models lists it", problem);
        var denoising = DefaultDenoising.ToDictionary(d => d.Key, d => Number(options, d.Key, d.Value, 0m, 1m, problem), StringComparer.Ordinal);
        var window = TimeSpan.FromSeconds(2);
        if (options.TryGetValue("FailFastWindow", out var windowText)
            && (!TimeSpan.TryParse(windowText, CultureInfo.InvariantCulture, out window) || window < TimeSpan.Zero || window > TimeSpan.FromSeconds(30)))
        {
            problem($"Options:FailFastWindow is '{windowText}'; it is 00:00:00 to 00:00:30");
        }
        return new SdWebuiSettings(negative, steps, cfg, width, height, sampler, checkpoint, denoising, window, taskTimeout);
    }

    private static string? Name(IReadOnlyDictionary<string, string> options, string name, string what, Action<string> problem)
    {
        if (!options.TryGetValue(name, out var text))
        {
            return null;
        }
        var trimmed = text.Trim();
        if (trimmed.Length is 0 or > 200)
        {
            problem($"Options:{name} is empty or over 200 characters; it is {what}");
        }
        return trimmed;
    }
}
