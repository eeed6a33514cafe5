using System.Collections.Concurrent;

namespace Easel.Core.Accounts;

public sealed class AccountService(IAccountStore store, TimeProvider time)
{
    /// <summary>
    /// How long a successful key lookup is reused. Every request needs one, and a poll loop sends many: the
    /// cache keeps them off the database. Only keys that worked are kept (an unknown key costs a lookup each
    /// time), and a revocation on this node evicts its entry at once.
    /// </summary>
    public static readonly TimeSpan KeyCacheDuration = TimeSpan.FromSeconds(5);
    private const int KeyCacheMaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, (Account Account, DateTimeOffset Until)> _keys = new(StringComparer.Ordinal);

    public async Task<Account?> AuthenticateAsync(string presentedKey, CancellationToken cancellationToken)
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
            return cached.Account;
        }
        var account = await store.FindByKeyHashAsync(hash, cancellationToken);
        if (account is not null)
        {
            if (_keys.Count >= KeyCacheMaxEntries)
            {
                _keys.Clear();
            }
            _keys[cacheKey] = (account, now + KeyCacheDuration);
        }
        return account;
    }

    /// <summary>Forgets a cached key at once (on revocation).</summary>
    public void Forget(string presentedKeyHashBase64) => _keys.TryRemove(presentedKeyHashBase64, out _);

    public async Task<NewAccount> CreateAsync(string name, bool isAdmin, string? exactKey, CancellationToken cancellationToken)
    {
        var account = new Account(ApiKeys.NewId("acct_"), name, isAdmin, time.GetUtcNow());
        var key = exactKey ?? ApiKeys.Generate();
        await store.CreateAsync(account, ApiKeys.NewId("key_"), ApiKeys.Hash(key), cancellationToken);
        return new NewAccount(account, key);
    }

    /// <summary>
    /// On a store with no key yet, creates the admin account: with the configured key, or a random one the
    /// caller prints once. Returns null when keys exist already.
    /// </summary>
    public async Task<NewAccount?> EnsureBootstrapAdminAsync(string? configuredKey, CancellationToken cancellationToken)
    {
        if (await store.AnyKeyExistsAsync(cancellationToken))
        {
            return null;
        }
        return await CreateAsync("admin", isAdmin: true, string.IsNullOrWhiteSpace(configuredKey) ? null : configuredKey, cancellationToken);
    }
}
