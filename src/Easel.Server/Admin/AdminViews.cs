using Easel.Core.Models;
using System.Text.Json.Serialization;
using Easel.Core.Accounts;
using Easel.Core.Pricing;
using Easel.Server.Dialects.Unified;

namespace Easel.Server.Admin;

internal sealed record AccountView(
    [property: JsonPropertyName("account_id")] string AccountId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("balance")] decimal Balance,
    [property: JsonPropertyName("group")] string Group,
    [property: JsonPropertyName("unlimited")] bool Unlimited,
    [property: JsonPropertyName("is_admin")] bool IsAdmin,
    [property: JsonPropertyName("max_active_tasks")] int? MaxActiveTasks,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("webhook_secret")] string? WebhookSecret = null,
    [property: JsonPropertyName("usage")] UsageView? Usage = null)
{
    public static AccountView From(AccountSummary summary, bool withSecret = false, UsageSummary? usage = null)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var a = summary.Account;
        return new AccountView(a.Id, a.Name, Credits.ToCredits(summary.BalanceMicros), a.Group, a.Unlimited, a.IsAdmin,
            a.MaxActiveTasks, a.CreatedAt.ToUnixTimeSeconds(), withSecret ? a.WebhookSecret : null,
            usage is null ? null : UsageView.From(usage));
    }
}

internal sealed record CreatedAccountView(
    [property: JsonPropertyName("account_id")] string AccountId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("api_key")] string ApiKey,
    [property: JsonPropertyName("key_id")] string KeyId,
    [property: JsonPropertyName("webhook_secret")] string WebhookSecret,
    [property: JsonPropertyName("balance")] decimal Balance,
    [property: JsonPropertyName("group")] string Group,
    [property: JsonPropertyName("unlimited")] bool Unlimited);

internal sealed record KeyView(
    [property: JsonPropertyName("key_id")] string KeyId,
    [property: JsonPropertyName("account_id")] string AccountId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("models")] IReadOnlyList<string>? Models,
    [property: JsonPropertyName("rate_per_minute")] int? RatePerMinute,
    [property: JsonPropertyName("burst")] int? Burst,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("revoked")] long? Revoked,
    [property: JsonPropertyName("api_key")] string? ApiKey = null)
{
    public static KeyView From(ApiKey key, string? secret = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new KeyView(key.Id, key.AccountId, key.Name, key.Models?.Order().Select(k => ModelCatalog.Of(k).UnifiedName).ToList(),
            key.RatePerMinute, key.Burst, key.CreatedAt.ToUnixTimeSeconds(), key.RevokedAt?.ToUnixTimeSeconds(), secret);
    }
}

internal sealed record LedgerView(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("task_id")] string? TaskId,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("created")] long Created)
{
    public static LedgerView From(LedgerEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var kind = e.Kind switch
        {
            LedgerKind.Reserve => "reserve",
            LedgerKind.Charge => "charge",
            LedgerKind.Refund => "refund",
            LedgerKind.TopUp => "top_up",
            _ => "adjust",
        };
        return new LedgerView(e.Id, e.TaskId, kind, Credits.ToCredits(e.AmountMicros), e.Reason, e.At.ToUnixTimeSeconds());
    }
}

internal sealed record UsageView(
    [property: JsonPropertyName("tasks")] IReadOnlyDictionary<string, int> Tasks,
    [property: JsonPropertyName("by_model")] IReadOnlyList<ModelUsageView> ByModel,
    [property: JsonPropertyName("by_day")] IReadOnlyList<DayUsageView> ByDay,
    [property: JsonPropertyName("by_engine")] IReadOnlyList<EngineUsageView> ByEngine)
{
    public static UsageView From(UsageSummary usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        return new UsageView(
            usage.TasksByState,
            usage.ByModel.Select(m => new ModelUsageView(ModelCatalog.Of(m.Kind).UnifiedName, m.Tasks, Credits.ToCredits(m.ChargedMicros))).ToList(),
            usage.ByDay.Select(d => new DayUsageView(d.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), d.Tasks, Credits.ToCredits(d.ChargedMicros))).ToList(),
            usage.ByEngine.Select(e => new EngineUsageView(e.Engine, e.Tasks, Credits.ToCredits(e.ChargedMicros),
                e.UpstreamCostMicros is long cost && e.UpstreamCostUnit is { } unit ? new UpstreamCostView(cost / 1_000_000m, unit) : null)).ToList());
    }
}

internal sealed record ModelUsageView(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("tasks")] int Tasks,
    [property: JsonPropertyName("credits_charged")] decimal CreditsCharged);

/// <param name="UpstreamCost">What the upstream said these tasks cost it (its unit: credits for the unified dialect, usd for the classic), beside Easel's own charge.</param>
internal sealed record EngineUsageView(
    [property: JsonPropertyName("engine")] string Engine,
    [property: JsonPropertyName("tasks")] int Tasks,
    [property: JsonPropertyName("credits_charged")] decimal CreditsCharged,
    [property: JsonPropertyName("upstream_cost")] UpstreamCostView? UpstreamCost);

internal sealed record UpstreamCostView(
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("unit")] string Unit);

internal sealed record DayUsageView(
    [property: JsonPropertyName("day")] string Day,
    [property: JsonPropertyName("tasks")] int Tasks,
    [property: JsonPropertyName("credits_charged")] decimal CreditsCharged);

internal sealed record ListView<T>([property: JsonPropertyName("data")] IReadOnlyList<T> Data);
