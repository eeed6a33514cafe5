using System.Collections.Concurrent;
using Easel.Core.Operations;
using Easel.Core.Pricing;

namespace Easel.Core.Accounts;

/// <summary>Accounts, keys and balances on behalf of the API and the administrator.</summary>
public sealed class AccountService(IAccountStore store, TimeProvider time)
{
    /// <summary>
    /// How long a successful key lookup is reused. Every request needs one, and a poll loop sends many: the
    /// cache keeps them off the database. Only keys that worked are kept (an unknown key costs a lookup each
    /// time); a revocation on this node evicts the key at once, on other nodes within this time.
    /// </summary>
    public static readonly TimeSpan KeyCacheDuration = TimeSpan.FromSeconds(5);
    private const int KeyCacheMaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, (Caller Caller, DateTimeOffset Until)> _keys = new(StringComparer.Ordinal);

    public async Task<Caller?> AuthenticateAsync(string presentedKey, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presentedKey) || presentedKey.Length > 512)
        {
            return null;
        }
        var hash = ApiKeys.Hash(presentedKey);
        var cacheKey = Convert.ToBase64String(hash);
        var now = time.GetUtcNow();
        if (_keys.TryGetValue(cacheKey, out var cached) && cached.Until > now)
        {
            return cached.Caller;
        }
        var caller = await store.FindByKeyHashAsync(hash, cancellationToken);
        if (caller is not null)
        {
            if (_keys.Count >= KeyCacheMaxEntries)
            {
                _keys.Clear();
            }
            _keys[cacheKey] = (caller, now + KeyCacheDuration);
        }
        return caller;
    }

    public async Task<NewAccount> CreateAsync(AccountDraft draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var now = time.GetUtcNow();
        var account = new Account(ApiKeys.NewId("acct_"), draft.Name, draft.IsAdmin, now, draft.Unlimited,
            draft.Group ?? Account.DefaultGroup, ApiKeys.NewWebhookSecret(), draft.MaxActiveTasks);
        var secret = draft.ExactKey ?? ApiKeys.Generate();
        var key = new ApiKey(ApiKeys.NewId("key_"), account.Id, "default", null, null, null, now, null);
        await store.CreateAsync(account, key, ApiKeys.Hash(secret), draft.InitialCreditsMicros, cancellationToken);
        return new NewAccount(account, key, secret);
    }

    /// <summary>
    /// On a store with no key yet, creates the unlimited admin account: with the configured key, or a random
    /// one the caller prints once. Returns null when keys exist already.
    /// </summary>
    public async Task<NewAccount?> EnsureBootstrapAdminAsync(string? configuredKey, CancellationToken cancellationToken)
    {
        if (await store.AnyKeyExistsAsync(cancellationToken))
        {
            return null;
        }
        return await CreateAsync(new AccountDraft("admin", IsAdmin: true, Unlimited: true,
            ExactKey: string.IsNullOrWhiteSpace(configuredKey) ? null : configuredKey), cancellationToken);
    }

    public async Task<NewKey?> CreateKeyAsync(string accountId, string name, IReadOnlySet<OperationKind>? models, int? ratePerMinute, int? burst, CancellationToken cancellationToken)
    {
        var key = new ApiKey(ApiKeys.NewId("key_"), accountId, name, models, ratePerMinute, burst, time.GetUtcNow(), null);
        var secret = ApiKeys.Generate();
        return await store.AddKeyAsync(key, ApiKeys.Hash(secret), cancellationToken) ? new NewKey(key, secret) : null;
    }

    public async Task<ApiKey?> RevokeKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        var key = await store.RevokeKeyAsync(keyId, time.GetUtcNow(), cancellationToken);
        Forget(keyId);
        return key;
    }

    public async Task<ApiKey?> UpdateKeyAsync(string keyId, IReadOnlySet<OperationKind>? models, int? ratePerMinute, int? burst, CancellationToken cancellationToken)
    {
        var key = await store.UpdateKeyAsync(keyId, models, ratePerMinute, burst, cancellationToken);
        Forget(keyId);
        return key;
    }

    /// <summary>A top-up (positive) or an adjustment (either sign) with its reason; never below zero.</summary>
    public Task<(AdjustOutcome Outcome, long BalanceMicros)> AdjustCreditsAsync(string accountId, decimal credits, string? reason, CancellationToken cancellationToken)
    {
        var micros = Credits.FromCredits(credits);
        return store.AdjustBalanceAsync(accountId, micros, micros >= 0 ? LedgerKind.TopUp : LedgerKind.Adjust, reason, time.GetUtcNow(), cancellationToken);
    }

    private void Forget(string keyId)
    {
        foreach (var entry in _keys)
        {
            if (entry.Value.Caller.Key.Id == keyId)
            {
                _keys.TryRemove(entry.Key, out _);
            }
        }
    }
}

/// <summary>What an administrator asks for when creating an account.</summary>
public sealed record AccountDraft(
    string Name,
    bool IsAdmin = false,
    bool Unlimited = false,
    string? Group = null,
    long InitialCreditsMicros = 0,
    int? MaxActiveTasks = null,
    string? ExactKey = null);
