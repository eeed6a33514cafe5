using Easel.Core.Operations;

namespace Easel.Core.Pricing;

/// <summary>Credits are stored as integer micro-credits: sums of prices must be exact, never floats.</summary>
public static class Credits
{
    public const long MicrosPerCredit = 1_000_000;

    public static decimal ToCredits(long micros) => (decimal)micros / MicrosPerCredit;

    public static long FromCredits(decimal credits) => (long)Math.Round(credits * MicrosPerCredit, MidpointRounding.AwayFromZero);
}

/// <summary>The one price table both dialects read (API.md section 8).</summary>
public sealed class PriceTable(PricingOptions options)
{
    public long PriceMicros(Operation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var fast = Credits.FromCredits(options.FastCredits);
        return operation.Speed == Speed.Turbo ? fast * options.TurboMultiplier : fast;
    }

    /// <summary>The classic dialect's usage.cost: the price in USD, as the seeds print it (4 decimals).</summary>
    public string CostUsd(long priceMicros) =>
        Math.Round(Credits.ToCredits(priceMicros) * options.UsdPerCredit, 4, MidpointRounding.AwayFromZero).ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class PricingOptions
{
    public decimal FastCredits { get; set; } = 8.1m;
    public int TurboMultiplier { get; set; } = 2;
    public decimal UsdPerCredit { get; set; } = 0.0147m;
}
