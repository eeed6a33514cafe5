namespace Easel.Core.Accounts;

public sealed class AccountService(IAccountStore store, TimeProvider time)
{
    public async Task<Account?> AuthenticateAsync(string presentedKey, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presentedKey) || presentedKey.Length > 512)
        {
            return null;
        }
        return await store.FindByKeyHashAsync(ApiKeys.Hash(presentedKey), cancellationToken);
    }

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
