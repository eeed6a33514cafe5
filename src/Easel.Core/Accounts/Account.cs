using Easel.Core.Operations;

namespace Easel.Core.Accounts;

/// <summary>
/// Who an account is and how it is treated; its balance is not here, since this record is cached with the
/// key lookup and a balance must always be read fresh.
/// </summary>
/// <param name="Unlimited">Reservations never fail for lack of credits (ledger rows are still written).</param>
/// <param name="Group">The pricing group (a price multiplier), shown as usage.user_group.</param>
/// <param name="WebhookSecret">Signs the account's callbacks.</param>
/// <param name="MaxActiveTasks">Tasks pending or processing at once; null for the configured default.</param>
public sealed record Account(
    string Id,
    string Name,
    bool IsAdmin,
    DateTimeOffset CreatedAt,
    bool Unlimited = false,
    string Group = Account.DefaultGroup,
    string WebhookSecret = "",
    int? MaxActiveTasks = null)
{
    public const string DefaultGroup = "default";
}

/// <summary>One API key of an account: its limits; the secret itself is never stored, only its hash.</summary>
/// <param name="Models">The operations the key may use; null for all.</param>
/// <param name="RatePerMinute">Creates per minute (token bucket refill); null for no limit.</param>
/// <param name="Burst">Bucket size; null for the rate itself.</param>
public sealed record ApiKey(
    string Id,
    string AccountId,
    string Name,
    IReadOnlySet<OperationKind>? Models,
    int? RatePerMinute,
    int? Burst,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt)
{
    public bool Allows(OperationKind kind) => Models is null || Models.Contains(kind);
}

/// <summary>The account and the key a request came with.</summary>
public sealed record Caller(Account Account, ApiKey Key);

public sealed record NewAccount(Account Account, ApiKey Key, string ApiKeySecret);

public sealed record NewKey(ApiKey Key, string Secret);

/// <summary>An account with its balance, read fresh.</summary>
public sealed record AccountSummary(Account Account, long BalanceMicros);

public enum LedgerKind { Reserve = 0, Charge = 1, Refund = 2, TopUp = 3, Adjust = 4 }

/// <summary>One movement of credits. The balance is always the sum of an account's ledger.</summary>
public sealed record LedgerEntry(long Id, string AccountId, string? TaskId, LedgerKind Kind, long AmountMicros, string? Reason, DateTimeOffset At);

public sealed record UsageSummary(
    IReadOnlyDictionary<string, int> TasksByState,
    IReadOnlyList<ModelUsage> ByModel,
    IReadOnlyList<DayUsage> ByDay)
{
    /// <summary>Per engine (and the unit of its upstream's cost): Easel's charges beside what the upstream said it cost.</summary>
    public IReadOnlyList<EngineUsage> ByEngine { get; init; } = [];
}

/// <param name="UpstreamCostMicros">The sum of the upstream's own cost of these tasks (millionths of <paramref name="UpstreamCostUnit"/>), where it said one.</param>
public sealed record EngineUsage(string Engine, int Tasks, long ChargedMicros, long? UpstreamCostMicros, string? UpstreamCostUnit);

public sealed record ModelUsage(OperationKind Kind, int Tasks, long ChargedMicros);

public sealed record DayUsage(DateOnly Day, int Tasks, long ChargedMicros);
