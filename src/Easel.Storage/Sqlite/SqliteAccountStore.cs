using Dapper;
using Easel.Core.Accounts;

namespace Easel.Storage.Sqlite;

public sealed class SqliteAccountStore(SqliteDatabase db) : IAccountStore
{
    public Task<Account?> FindByKeyHashAsync(byte[] keyHash, CancellationToken cancellationToken) =>
        db.ReadAsync(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<AccountRow>(
                """
                SELECT a.id, a.name, a.is_admin, a.created_at, k.key_hash
                FROM api_keys k JOIN accounts a ON a.id = k.account_id
                WHERE k.key_hash = @keyHash AND k.revoked_at IS NULL
                """, new { keyHash });
            // The index found the row by hash; the constant-time comparison is the one that grants access.
            return row is not null && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(row.KeyHash, keyHash)
                ? new Account(row.Id, row.Name, row.IsAdmin != 0, DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt))
                : null;
        }, cancellationToken);

    public Task CreateAsync(Account account, string keyId, byte[] keyHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        return db.WriteAsync(async (c, tx) =>
        {
            var createdAt = account.CreatedAt.ToUnixTimeMilliseconds();
            await c.ExecuteAsync(
                "INSERT INTO accounts (id, name, is_admin, created_at) VALUES (@Id, @Name, @isAdmin, @createdAt)",
                new { account.Id, account.Name, isAdmin = account.IsAdmin ? 1 : 0, createdAt }, tx);
            return await c.ExecuteAsync(
                "INSERT INTO api_keys (id, account_id, key_hash, created_at) VALUES (@keyId, @accountId, @keyHash, @createdAt)",
                new { keyId, accountId = account.Id, keyHash, createdAt }, tx);
        }, cancellationToken);
    }

    public Task<bool> AnyKeyExistsAsync(CancellationToken cancellationToken) =>
        db.ReadAsync(c => c.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM api_keys)"), cancellationToken);

    private sealed class AccountRow
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public long IsAdmin { get; set; }
        public long CreatedAt { get; set; }
        public byte[] KeyHash { get; set; } = [];
    }
}
