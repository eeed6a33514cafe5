using Easel.Core.Models;
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

/// <summary>
/// The one price table both dialects read (API.md sections 8 and 9): a model's configured price, else the
/// configured price of every model, else the catalog's default; turbo twice and draft half unless configured;
/// times the group's multiplier.
/// </summary>
public sealed class PriceTable(PricingOptions options)
{
    public long PriceMicros(Operation operation, string group)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var entry = ModelCatalog.Of(operation.Kind);
        var variant = entry.VariantOf(operation);
        var credits = Credits(entry, variant, operation.Speed);
        var multiplier = options.Groups.TryGetValue(group, out var m) ? m : 1m;
        return Pricing.Credits.FromCredits(credits * multiplier);
    }

    /// <summary>A model's price at one speed before the group's multiplier (GET /v1/models lists these).</summary>
    public decimal Credits(ModelEntry entry, ModelVariant? variant, Speed speed)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var key = variant is null ? entry.Kind.ToString() : entry.Kind + char.ToUpperInvariant(variant.Name[0]).ToString() + variant.Name[1..];
        options.Models.TryGetValue(key, out var model);
        var fast = model?.Fast ?? options.FastCredits ?? variant?.FastCredits ?? entry.FastCredits;
        return speed switch
        {
            Speed.Turbo => model?.Turbo ?? (fast * options.TurboMultiplier),
            Speed.Draft => model?.Draft ?? (fast * options.DraftMultiplier),
            _ => fast,
        };
    }

    /// <summary>A model's price at one speed for an account group, as GET /v1/models lists it.</summary>
    public decimal ListCredits(ModelEntry entry, ModelVariant? variant, Speed speed, string group)
    {
        var multiplier = options.Groups.TryGetValue(group, out var m) ? m : 1m;
        return Pricing.Credits.ToCredits(Pricing.Credits.FromCredits(Credits(entry, variant, speed) * multiplier));
    }

    /// <summary>The classic dialect's usage.cost: the price in USD, as the seeds print it (4 decimals).</summary>
    public string CostUsd(long priceMicros) =>
        Math.Round(Pricing.Credits.ToCredits(priceMicros) * options.UsdPerCredit, 4, MidpointRounding.AwayFromZero).ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class PricingOptions
{
    /// <summary>When set, the price of every model at fast speed unless <see cref="Models"/> says otherwise; unset, each model's catalog price.</summary>
    public decimal? FastCredits { get; set; }

    /// <summary>Turbo costs this many times the fast price, unless a model sets its turbo price.</summary>
    public decimal TurboMultiplier { get; set; } = 2m;

    /// <summary>Draft (imagine only) costs this many times the fast price, unless a model sets its draft price.</summary>
    public decimal DraftMultiplier { get; set; } = 0.5m;

    public decimal UsdPerCredit { get; set; } = 0.0147m;

    /// <summary>Prices per operation (UploadPaint, Edit, ..., RemoveBackground; UpscaleCreative for upscale's creative type).</summary>
    public IDictionary<string, ModelPrice> Models { get; } = new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Price multipliers per account group; a group not listed pays 1x.</summary>
    public IDictionary<string, decimal> Groups { get; } = new Dictionary<string, decimal>(StringComparer.Ordinal);
}

public sealed class ModelPrice
{
    public decimal? Fast { get; set; }

    public decimal? Turbo { get; set; }

    public decimal? Draft { get; set; }
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
