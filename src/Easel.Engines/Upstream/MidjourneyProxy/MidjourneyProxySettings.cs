using Easel.Core.Engines;

namespace Easel.Engines.Upstream.MidjourneyProxy;

/// <summary>Which midjourney-proxy an engine speaks to: they share routes and codes, not their secondary operations.</summary>
public enum MidjourneyProxyFlavour
{
    /// <summary>trueai-org/midjourney-proxy (UPSTREAMS.md 1.1): buttons, modal, cancel.</summary>
    TrueAi,

    /// <summary>novicezk/midjourney-proxy (UPSTREAMS.md 1.2): /submit/change (U n, V n on a grid) only, no cancel.</summary>
    Novicezk,
}

/// <summary>
/// A midjourney-proxy engine's Options (README "The midjourney-proxy engine"): Flavour (trueai, the default:
/// trueai-org's proxy with its buttons, modal and cancel; or novicezk: novicezk's proxy, U n and V n of a grid through
/// /submit/change) and BotType (MID_JOURNEY, the default, or NIJI_JOURNEY: the bot TI sends an imagine to; NZ's
/// imagine has no such field, so it is refused there rather than silently dropped).
/// </summary>
public sealed record MidjourneyProxySettings(MidjourneyProxyFlavour Flavour, string BotType)
{
    /// <summary>What an engine of this flavour serves: each engine's own, so a TI engine and an NZ engine can stand side by side.</summary>
    public IReadOnlySet<EngineCapability> Capabilities =>
        Flavour == MidjourneyProxyFlavour.Novicezk ? NovicezkProtocol.Capabilities : MidjourneyProxyProtocol.Capabilities;

    public static MidjourneyProxySettings Read(IReadOnlyDictionary<string, string> options, Action<string> problem)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(problem);
        var flavourText = options.GetValueOrDefault("Flavour", "trueai").Trim().ToLowerInvariant();
        var flavour = MidjourneyProxyFlavour.TrueAi;
        if (flavourText == "novicezk")
        {
            flavour = MidjourneyProxyFlavour.Novicezk;
        }
        else if (flavourText != "trueai")
        {
            problem($"Options:Flavour is '{flavourText}'; it is trueai (trueai-org/midjourney-proxy, the default) or novicezk (novicezk/midjourney-proxy)");
        }
        var bot = options.GetValueOrDefault("BotType", "MID_JOURNEY").Trim().ToUpperInvariant();
        if (flavour == MidjourneyProxyFlavour.Novicezk && options.ContainsKey("BotType"))
        {
            problem("Options:BotType is for the trueai flavour; novicezk's imagine has no botType (the bot is its account's), so leave it out");
        }
        else if (bot is not ("MID_JOURNEY" or "NIJI_JOURNEY"))
        {
            problem($"Options:BotType is '{bot}'; it is MID_JOURNEY (the default) or NIJI_JOURNEY");
        }
        return new MidjourneyProxySettings(flavour, bot);
    }
}
