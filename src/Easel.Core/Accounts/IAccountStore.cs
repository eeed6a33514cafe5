using Easel.Core.Operations;

namespace Easel.Core.Accounts;

public enum AdjustOutcome { Done, NotFound, WouldGoNegative }

public interface IAccountStore
{
    /// <summary>The account and the (unrevoked) key with this SHA-256, or null.</summary>
    Task<Caller?> FindByKeyHashAsync(byte[] keyHash, CancellationToken cancellationToken);

    /// <summary>Creates the account with its first key and, if credits are given, a top-up ledger row.</summary>
    Task CreateAsync(Account account, ApiKey key, byte[] keyHash, long initialCreditsMicros, CancellationToken cancellationToken);

    Task<bool> AnyKeyExistsAsync(CancellationToken cancellationToken);

    Task<AccountSummary?> GetAsync(string accountId, CancellationToken cancellationToken);

    Task<IReadOnlyList<AccountSummary>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Adds (or, negative, removes) credits with a ledger row; never below zero.</summary>
    Task<(AdjustOutcome Outcome, long BalanceMicros)> AdjustBalanceAsync(string accountId, long amountMicros, LedgerKind kind, string? reason, DateTimeOffset now, CancellationToken cancellationToken);

    Task<bool> AddKeyAsync(ApiKey key, byte[] keyHash, CancellationToken cancellationToken);

    Task<IReadOnlyList<ApiKey>> ListKeysAsync(string accountId, CancellationToken cancellationToken);

    Task<ApiKey?> GetKeyAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>Sets a key's model list and rate; returns the key as it now is, or null if it does not exist.</summary>
    Task<ApiKey?> UpdateKeyAsync(string keyId, IReadOnlySet<OperationKind>? models, int? ratePerMinute, int? burst, CancellationToken cancellationToken);

    Task<ApiKey?> RevokeKeyAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The newest entries first, those with an id below <paramref name="beforeId"/> when it is given.</summary>
    Task<IReadOnlyList<LedgerEntry>> LedgerAsync(string accountId, long? beforeId, int limit, CancellationToken cancellationToken);

    Task<UsageSummary> UsageAsync(string accountId, CancellationToken cancellationToken);
}
