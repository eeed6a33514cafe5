namespace Easel.Core.Accounts;

public interface IAccountStore
{
    /// <summary>The account owning the (unrevoked) key with this SHA-256, or null.</summary>
    Task<Account?> FindByKeyHashAsync(byte[] keyHash, CancellationToken cancellationToken);

    Task CreateAsync(Account account, string keyId, byte[] keyHash, CancellationToken cancellationToken);

    Task<bool> AnyKeyExistsAsync(CancellationToken cancellationToken);
}
