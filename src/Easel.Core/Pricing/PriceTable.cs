using Easel.Core.Operations;
using Easel.Core.Tasks;

namespace Easel.Core.Pricing;

/// <summary>Credits are stored as integer micro-credits: sums of prices must be exact, never floats.</summary>
public static class Credits
{
    public const long MicrosPerCredit = 1_000_000;

    public static decimal ToCredits(long micros) => (decimal)micros / MicrosPerCredit;

    public static long FromCredits(decimal credits) => (long)Math.Round(credits * MicrosPerCredit, MidpointRounding.AwayFromZero);
}

/// <summary>The one price table both dialects read (API.md section 8): per operation and speed, times the group's multiplier.</summary>
public sealed class PriceTable(PricingOptions options)
{
    public long PriceMicros(Operation operation, string group)
    {
        ArgumentNullException.ThrowIfNull(operation);
        options.Models.TryGetValue(operation.Kind.ToString(), out var model);
        var fast = model?.Fast ?? options.FastCredits;
        var credits = operation.Speed == Speed.Turbo ? model?.Turbo ?? (fast * options.TurboMultiplier) : fast;
        var multiplier = options.Groups.TryGetValue(group, out var m) ? m : 1m;
        return Credits.FromCredits(credits * multiplier);
    }

    /// <summary>The classic dialect's usage.cost: the price in USD, as the seeds print it (4 decimals).</summary>
    public string CostUsd(long priceMicros) =>
        Math.Round(Credits.ToCredits(priceMicros) * options.UsdPerCredit, 4, MidpointRounding.AwayFromZero).ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class PricingOptions
{
    /// <summary>The price of every operation at fast speed unless <see cref="Models"/> says otherwise.</summary>
    public decimal FastCredits { get; set; } = 8.1m;

    /// <summary>Turbo costs this many times the fast price, unless a model sets its turbo price.</summary>
    public decimal TurboMultiplier { get; set; } = 2m;

    public decimal UsdPerCredit { get; set; } = 0.0147m;

    /// <summary>Prices per operation (UploadPaint, Edit, Inpaint, Remix).</summary>
    public IDictionary<string, ModelPrice> Models { get; } = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Price multipliers per account group; a group not listed pays 1x.</summary>
    public IDictionary<string, decimal> Groups { get; } = new Dictionary<string, decimal>(StringComparer.Ordinal);
}

public sealed class ModelPrice
{
    public decimal? Fast { get; set; }

    public decimal? Turbo { get; set; }
}

public enum Settlement { Charge, Refund }

/// <summary>What a finished task costs (API.md section 8): the work done is charged, the rest refunded.</summary>
public static class SettlementPolicy
{
    public static Settlement For(TaskState state, FailureKind? failure) => state switch
    {
        TaskState.Completed => Settlement.Charge,
        // The seed's note: moderation that filters generated images still consumes the credits.
        TaskState.Failed when failure == FailureKind.ContentPolicy => Settlement.Charge,
        TaskState.Failed or TaskState.Cancelled => Settlement.Refund,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "only a finished task is settled"),
    };
}
