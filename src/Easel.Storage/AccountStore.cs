using System.Data;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Easel.Core.Accounts;
using Easel.Core.Operations;

namespace Easel.Storage;

/// <summary>
/// Accounts, keys and the ledger, in SQL both databases run; what differs (instants, JSON, days) is the dialect's.
/// SqliteAccountStore and PostgresAccountStore only choose a database. Balances move only by conditional
/// statements inside a transaction that also writes the ledger row, so the balance is always its ledger's sum.
/// </summary>
public abstract class AccountStore : IAccountStore
{
    private const string AccountColumns =
        "a.id, a.name, a.is_admin, a.created_at, a.unlimited, a.price_group, a.webhook_secret, a.max_active_tasks, a.balance_micros";

    private readonly IStoreDatabase _db;
    private readonly StoreDialect _dialect;
    private readonly string _keyColumns;

    private protected AccountStore(IStoreDatabase db, StoreDialect dialect)
    {
        _db = db;
        _dialect = dialect;
        // Unqualified: SQLite allows no alias on the table of an UPDATE ... RETURNING.
        _keyColumns = $"id, account_id, name, {dialect.JsonColumn("models")} AS models, rate_per_minute, burst, created_at, revoked_at";
    }

    public Task<Caller?> FindByKeyHashAsync(byte[] keyHash, CancellationToken cancellationToken) =>
        _db.ReadAsync(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<CallerRow>(
                $"""
                SELECT {AccountColumns}, k.id AS key_id, k.name AS key_name, {_dialect.JsonColumn("k.models")} AS models, k.rate_per_minute,
                       k.burst, k.created_at AS key_created_at, k.key_hash
                FROM api_keys k JOIN accounts a ON a.id = k.account_id
                WHERE k.key_hash = @keyHash AND k.revoked_at IS NULL
                """, new { keyHash });
            // The index found the row by hash; the constant-time comparison is the one that grants access.
            if (row is null || !CryptographicOperations.FixedTimeEquals(row.KeyHash, keyHash))
            {
                return null;
            }
            return new Caller(MapAccount(row), new ApiKey(row.KeyId, row.Id, row.KeyName, ParseModels(row.Models),
                (int?)row.RatePerMinute, (int?)row.Burst, StoreDialect.ReadInstant(row.KeyCreatedAt), null));
        }, cancellationToken);

    public Task CreateAsync(Account account, ApiKey key, byte[] keyHash, long initialCreditsMicros, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(key);
        return _db.WriteAsync(async (c, tx) =>
        {
            var createdAt = _dialect.Instant(account.CreatedAt);
            await c.ExecuteAsync(
                """
                INSERT INTO accounts (id, name, is_admin, created_at, unlimited, price_group, webhook_secret, max_active_tasks, balance_micros)
                VALUES (@Id, @Name, @IsAdmin, @createdAt, @Unlimited, @Group, @WebhookSecret, @MaxActiveTasks, @initialCreditsMicros)
                """,
                new
                {
                    account.Id, account.Name, account.IsAdmin, createdAt, account.Unlimited,
                    account.Group, account.WebhookSecret, account.MaxActiveTasks, initialCreditsMicros,
                }, tx);
            if (initialCreditsMicros != 0)
            {
                await c.ExecuteAsync(
                    "INSERT INTO ledger (account_id, kind, amount_micros, reason, created_at) VALUES (@Id, @kind, @initialCreditsMicros, 'initial credits', @createdAt)",
                    new { account.Id, kind = (int)LedgerKind.TopUp, initialCreditsMicros, createdAt }, tx);
            }
            return await InsertKeyAsync(c, tx, key, keyHash);
        }, cancellationToken);
    }

    public Task<bool> AnyKeyExistsAsync(CancellationToken cancellationToken) =>
        _db.ReadAsync(c => c.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM api_keys)"), cancellationToken);

    public Task<AccountSummary?> GetAsync(string accountId, CancellationToken cancellationToken) =>
        _db.ReadAsync(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<AccountRow>($"SELECT {AccountColumns} FROM accounts a WHERE a.id = @accountId", new { accountId });
            return row is null ? null : new AccountSummary(MapAccount(row), row.BalanceMicros);
        }, cancellationToken);

    public Task<IReadOnlyList<AccountSummary>> ListAsync(CancellationToken cancellationToken) =>
        _db.ReadAsync<IReadOnlyList<AccountSummary>>(async c =>
            (await c.QueryAsync<AccountRow>($"SELECT {AccountColumns} FROM accounts a ORDER BY a.created_at, a.id"))
                .Select(r => new AccountSummary(MapAccount(r), r.BalanceMicros)).ToList(), cancellationToken);

    public Task<(AdjustOutcome Outcome, long BalanceMicros)> AdjustBalanceAsync(
        string accountId, long amountMicros, LedgerKind kind, string? reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        _db.WriteAsync<(AdjustOutcome, long)>(async (c, tx) =>
        {
            // One conditional statement: an adjustment down can never take the balance below zero.
            var balance = await c.QuerySingleOrDefaultAsync<long?>(
                "UPDATE accounts SET balance_micros = balance_micros + @amountMicros WHERE id = @accountId AND balance_micros + @amountMicros >= 0 RETURNING balance_micros",
                new { accountId, amountMicros }, tx);
            if (balance is null)
            {
                var exists = await c.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM accounts WHERE id = @accountId)", new { accountId }, tx);
                return (exists ? AdjustOutcome.WouldGoNegative : AdjustOutcome.NotFound, 0);
            }
            await c.ExecuteAsync(
                "INSERT INTO ledger (account_id, kind, amount_micros, reason, created_at) VALUES (@accountId, @kind, @amountMicros, @reason, @at)",
                new { accountId, kind = (int)kind, amountMicros, reason, at = _dialect.Instant(now) }, tx);
            return (AdjustOutcome.Done, balance.Value);
        }, cancellationToken);

    public Task<bool> AddKeyAsync(ApiKey key, byte[] keyHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _db.WriteAsync(async (c, tx) =>
        {
            var exists = await c.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM accounts WHERE id = @AccountId)", new { key.AccountId }, tx);
            return exists && await InsertKeyAsync(c, tx, key, keyHash) == 1;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<ApiKey>> ListKeysAsync(string accountId, CancellationToken cancellationToken) =>
        _db.ReadAsync<IReadOnlyList<ApiKey>>(async c =>
            (await c.QueryAsync<KeyRow>($"SELECT {_keyColumns} FROM api_keys WHERE account_id = @accountId ORDER BY created_at, id", new { accountId }))
                .Select(MapKey).ToList(), cancellationToken);

    public Task<ApiKey?> GetKeyAsync(string keyId, CancellationToken cancellationToken) =>
        _db.ReadAsync(async c =>
        {
            var row = await c.QuerySingleOrDefaultAsync<KeyRow>($"SELECT {_keyColumns} FROM api_keys WHERE id = @keyId", new { keyId });
            return row is null ? null : MapKey(row);
        }, cancellationToken);

    public Task<ApiKey?> UpdateKeyAsync(string keyId, IReadOnlySet<OperationKind>? models, int? ratePerMinute, int? burst, CancellationToken cancellationToken) =>
        _db.StatementAsync(async (c, tx) =>
        {
            var row = await c.QuerySingleOrDefaultAsync<KeyRow>(
                $"UPDATE api_keys SET models = {_dialect.JsonParameter("@models")}, rate_per_minute = @ratePerMinute, burst = @burst WHERE id = @keyId RETURNING {_keyColumns}",
                new { keyId, models = FormatModels(models), ratePerMinute, burst }, tx);
            return row is null ? null : MapKey(row);
        }, cancellationToken);

    public Task<ApiKey?> RevokeKeyAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _db.StatementAsync(async (c, tx) =>
        {
            var row = await c.QuerySingleOrDefaultAsync<KeyRow>(
                $"UPDATE api_keys SET revoked_at = COALESCE(revoked_at, @at) WHERE id = @keyId RETURNING {_keyColumns}",
                new { keyId, at = _dialect.Instant(now) }, tx);
            return row is null ? null : MapKey(row);
        }, cancellationToken);

    public Task<IReadOnlyList<LedgerEntry>> LedgerAsync(string accountId, long? beforeId, int limit, CancellationToken cancellationToken) =>
        _db.ReadAsync<IReadOnlyList<LedgerEntry>>(async c =>
            (await c.QueryAsync<LedgerRow>(
                """
                SELECT id, account_id, task_id, kind, amount_micros, reason, created_at FROM ledger
                WHERE account_id = @accountId AND id < @beforeId ORDER BY id DESC LIMIT @limit
                """, new { accountId, beforeId = beforeId ?? long.MaxValue, limit }))
                .Select(r => new LedgerEntry(r.Id, r.AccountId, r.TaskId, (LedgerKind)r.Kind, r.AmountMicros, r.Reason, StoreDialect.ReadInstant(r.CreatedAt)))
                .ToList(), cancellationToken);

    public Task<UsageSummary> UsageAsync(string accountId, CancellationToken cancellationToken) =>
        _db.ReadAsync(async c =>
        {
            // Counts and sums cast to one integer type: the two databases return different ones.
            var states = (await c.QueryAsync<(long State, long Count)>(
                "SELECT CAST(state AS bigint), CAST(COUNT(*) AS bigint) FROM tasks WHERE account_id = @accountId GROUP BY state", new { accountId }))
                .ToDictionary(r => ((Core.Tasks.TaskState)r.State).ToString().ToLowerInvariant(), r => (int)r.Count);
            const string charged = "CAST(COALESCE(SUM(CASE WHEN l.kind = 1 THEN t.price_micros ELSE 0 END), 0) AS bigint)";
            const string charges = "FROM tasks t LEFT JOIN ledger l ON l.task_id = t.id AND l.kind = 1 WHERE t.account_id = @accountId";
            var byModel = (await c.QueryAsync<(long Kind, long Tasks, long Charged)>(
                $"SELECT CAST(t.kind AS bigint), CAST(COUNT(*) AS bigint), {charged} {charges} GROUP BY t.kind ORDER BY t.kind",
                new { accountId })).Select(r => new ModelUsage((OperationKind)r.Kind, (int)r.Tasks, r.Charged)).ToList();
            var byDay = (await c.QueryAsync<(string Day, long Tasks, long Charged)>(
                $"SELECT {_dialect.UtcDay("t.created_at")}, CAST(COUNT(*) AS bigint), {charged} {charges} GROUP BY 1 ORDER BY 1",
                new { accountId })).Select(r => new DayUsage(DateOnly.ParseExact(r.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture), (int)r.Tasks, r.Charged)).ToList();
            var byEngine = (await c.QueryAsync<(string Engine, string Unit, long Tasks, long Charged, long? Cost)>(
                $"""
                SELECT t.engine, COALESCE(t.upstream_cost_unit, ''), CAST(COUNT(*) AS bigint), {charged},
                       CAST(SUM(t.upstream_cost_micros) AS bigint)
                {charges} AND t.engine IS NOT NULL GROUP BY t.engine, t.upstream_cost_unit ORDER BY 1, 2
                """,
                new { accountId })).Select(r => new EngineUsage(r.Engine, (int)r.Tasks, r.Charged, r.Cost, r.Unit.Length == 0 ? null : r.Unit)).ToList();
            return new UsageSummary(states, byModel, byDay) { ByEngine = byEngine };
        }, cancellationToken);

    private Task<int> InsertKeyAsync(IDbConnection c, IDbTransaction tx, ApiKey key, byte[] keyHash) =>
        c.ExecuteAsync(
            $"""
            INSERT INTO api_keys (id, account_id, key_hash, created_at, name, models, rate_per_minute, burst)
            VALUES (@Id, @AccountId, @keyHash, @createdAt, @Name, {_dialect.JsonParameter("@models")}, @RatePerMinute, @Burst)
            """,
            new
            {
                key.Id, key.AccountId, keyHash, createdAt = _dialect.Instant(key.CreatedAt), key.Name,
                models = FormatModels(key.Models), key.RatePerMinute, key.Burst,
            }, tx);

    private static string? FormatModels(IReadOnlySet<OperationKind>? models) =>
        models is null ? null : JsonSerializer.Serialize(models.Order().Select(m => m.ToString()));

    private static HashSet<OperationKind>? ParseModels(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<string[]>(json)!.Select(Enum.Parse<OperationKind>).ToHashSet();

    private static Account MapAccount(AccountRow r) => new(
        r.Id, r.Name, r.IsAdmin, StoreDialect.ReadInstant(r.CreatedAt), r.Unlimited, r.PriceGroup, r.WebhookSecret, (int?)r.MaxActiveTasks);

    private static ApiKey MapKey(KeyRow r) => new(
        r.Id, r.AccountId, r.Name, ParseModels(r.Models), (int?)r.RatePerMinute, (int?)r.Burst, StoreDialect.ReadInstant(r.CreatedAt),
        r.RevokedAt is { } revoked ? StoreDialect.ReadInstant(revoked) : null);

    // Integers as long and instants as object: SQLite returns every integer as a long and instants as milliseconds,
    // PostgreSQL integers, booleans and timestamps; Dapper converts the numbers, StoreDialect.ReadInstant the instants.
    private class AccountRow
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public bool IsAdmin { get; set; }
        public object CreatedAt { get; set; } = 0L;
        public bool Unlimited { get; set; }
        public string PriceGroup { get; set; } = "";
        public string WebhookSecret { get; set; } = "";
        public long? MaxActiveTasks { get; set; }
        public long BalanceMicros { get; set; }
    }

    private sealed class CallerRow : AccountRow
    {
        public string KeyId { get; set; } = "";
        public string KeyName { get; set; } = "";
        public string? Models { get; set; }
        public long? RatePerMinute { get; set; }
        public long? Burst { get; set; }
        public object KeyCreatedAt { get; set; } = 0L;
        public byte[] KeyHash { get; set; } = [];
    }

    private sealed class KeyRow
    {
        public string Id { get; set; } = "";
        public string AccountId { get; set; } = "";
        public string Name { get; set; } = "";
        public string? Models { get; set; }
        public long? RatePerMinute { get; set; }
        public long? Burst { get; set; }
        public object CreatedAt { get; set; } = 0L;
        public object? RevokedAt { get; set; }
    }

    private sealed class LedgerRow
    {
        public long Id { get; set; }
        public string AccountId { get; set; } = "";
        public string? TaskId { get; set; }
        public long Kind { get; set; }
        public long AmountMicros { get; set; }
        public string? Reason { get; set; }
        public object CreatedAt { get; set; } = 0L;
    }
}
