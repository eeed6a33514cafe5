namespace Easel.Engines.Upstream.MidjourneyProxy;

/// <summary>
/// A midjourney-proxy engine's Options (README "The midjourney-proxy engine"): Flavour (trueai, the default: trueai-org's
/// proxy with its buttons, modal and cancel; novicezk's proxy has none of them and is refused at start, so its
/// /submit/change is never half-spoken) and BotType (MID_JOURNEY, the default, or NIJI_JOURNEY: the bot TI sends an
/// imagine to).
/// </summary>
public sealed record MidjourneyProxySettings(string BotType)
{
    public static MidjourneyProxySettings Read(IReadOnlyDictionary<string, string> options, Action<string> problem)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(problem);
        var flavour = options.GetValueOrDefault("Flavour", "trueai").Trim().ToLowerInvariant();
        if (flavour == "novicezk")
        {
            problem("Options:Flavour 'novicezk' is not supported by this version: novicezk's proxy has no buttons, modal or cancel "
                + "(only /submit/change), and Easel speaks trueai-org's; run trueai-org/midjourney-proxy, or leave Flavour out");
        }
        else if (flavour != "trueai")
        {
            problem($"Options:Flavour is '{flavour}'; it is trueai (trueai-org/midjourney-proxy, the default)");
        }
        var bot = options.GetValueOrDefault("BotType", "MID_JOURNEY").Trim().ToUpperInvariant();
        if (bot is not ("MID_JOURNEY" or "NIJI_JOURNEY"))
        {
            problem($"Options:BotType is '{bot}'; it is MID_JOURNEY (the default) or NIJI_JOURNEY");
        }
        return new MidjourneyProxySettings(bot);
    }
}
