using System.Text.Json.Serialization;

namespace Easel.Cli.Admin;

// The administration API's answers, as the command line reads them. The server's own view records are its
// business; these are a client's copy of the public contract, holding only the fields the CLI shows.

internal sealed record AccountWire(
    [property: JsonPropertyName("account_id")] string AccountId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("balance")] decimal Balance,
    [property: JsonPropertyName("group")] string Group,
    [property: JsonPropertyName("unlimited")] bool Unlimited,
    [property: JsonPropertyName("is_admin")] bool IsAdmin,
    [property: JsonPropertyName("max_active_tasks")] int? MaxActiveTasks,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("webhook_secret")] string? WebhookSecret,
    [property: JsonPropertyName("usage")] UsageWire? Usage);

internal sealed record CreatedAccountWire(
    [property: JsonPropertyName("account_id")] string AccountId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("api_key")] string ApiKey,
    [property: JsonPropertyName("key_id")] string KeyId,
    [property: JsonPropertyName("webhook_secret")] string WebhookSecret,
    [property: JsonPropertyName("balance")] decimal Balance,
    [property: JsonPropertyName("group")] string Group,
    [property: JsonPropertyName("unlimited")] bool Unlimited);

internal sealed record KeyWire(
    [property: JsonPropertyName("key_id")] string KeyId,
    [property: JsonPropertyName("account_id")] string AccountId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("models")] IReadOnlyList<string>? Models,
    [property: JsonPropertyName("rate_per_minute")] int? RatePerMinute,
    [property: JsonPropertyName("burst")] int? Burst,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("revoked")] long? Revoked,
    [property: JsonPropertyName("api_key")] string? ApiKey);

internal sealed record AdjustmentWire(
    [property: JsonPropertyName("account_id")] string AccountId,
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("balance")] decimal Balance);

internal sealed record LedgerWire(
    [property: JsonPropertyName("account_id")] string AccountId,
    [property: JsonPropertyName("balance")] decimal Balance,
    [property: JsonPropertyName("data")] IReadOnlyList<LedgerEntryWire> Data);

internal sealed record LedgerEntryWire(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("task_id")] string? TaskId,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("created")] long Created);

internal sealed record UsageWire(
    [property: JsonPropertyName("tasks")] IReadOnlyDictionary<string, int> Tasks,
    [property: JsonPropertyName("by_model")] IReadOnlyList<ModelUsageWire> ByModel,
    [property: JsonPropertyName("by_day")] IReadOnlyList<DayUsageWire> ByDay);

internal sealed record ModelUsageWire(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("tasks")] int Tasks,
    [property: JsonPropertyName("credits_charged")] decimal CreditsCharged);

internal sealed record DayUsageWire(
    [property: JsonPropertyName("day")] string Day,
    [property: JsonPropertyName("tasks")] int Tasks,
    [property: JsonPropertyName("credits_charged")] decimal CreditsCharged);

internal sealed record ListWire<T>([property: JsonPropertyName("data")] IReadOnlyList<T> Data);
