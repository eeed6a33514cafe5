using Dapper;

namespace Easel.Storage.Sqlite;

/// <summary>
/// The schema, as an ordered list of steps; a database records the steps it has, and start-up applies the
/// rest in one transaction. Never edit a step that has shipped: add one.
/// </summary>
public static class SqliteMigrations
{
    private static readonly string[] Steps =
    [
        """
        CREATE TABLE accounts (
            id          TEXT PRIMARY KEY,
            name        TEXT NOT NULL,
            is_admin    INTEGER NOT NULL,
            created_at  INTEGER NOT NULL
        );
        CREATE TABLE api_keys (
            id          TEXT PRIMARY KEY,
            account_id  TEXT NOT NULL REFERENCES accounts(id),
            key_hash    BLOB NOT NULL UNIQUE,
            created_at  INTEGER NOT NULL,
            revoked_at  INTEGER
        );
        CREATE TABLE tasks (
            id               TEXT PRIMARY KEY,
            account_id       TEXT NOT NULL REFERENCES accounts(id),
            dialect          INTEGER NOT NULL,
            kind             INTEGER NOT NULL,
            operation        TEXT NOT NULL,
            state            INTEGER NOT NULL,
            progress         INTEGER NOT NULL DEFAULT 0,
            priority         INTEGER NOT NULL,
            created_at       INTEGER NOT NULL,
            started_at       INTEGER,
            finished_at      INTEGER,
            price_micros     INTEGER NOT NULL,
            failure_kind     INTEGER,
            failure_message  TEXT,
            result_keys      TEXT,
            callback_url     TEXT,
            attempts         INTEGER NOT NULL DEFAULT 0,
            lease_node       TEXT,
            lease_token      TEXT,
            lease_expires_at INTEGER
        );
        CREATE INDEX tasks_pending ON tasks(priority DESC, created_at) WHERE state = 0;
        CREATE INDEX tasks_processing ON tasks(lease_expires_at) WHERE state = 1;
        CREATE INDEX tasks_recent_completed ON tasks(kind, finished_at) WHERE state = 2;
        CREATE INDEX tasks_account ON tasks(account_id, created_at);
        """,
    ];

    public static async Task ApplyAsync(SqliteDatabase database, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            // WAL is a property of the file: set once, it holds for every later connection.
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
        }
        await database.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
                transaction: transaction);
            var applied = await connection.ExecuteScalarAsync<long>(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", transaction: transaction);
            if (applied > Steps.Length)
            {
                throw new InvalidOperationException(
                    $"The database is at schema version {applied}, newer than this Easel ({Steps.Length}); refusing to run on it.");
            }
            for (var version = (int)applied + 1; version <= Steps.Length; version++)
            {
                await connection.ExecuteAsync(Steps[version - 1], transaction: transaction);
                await connection.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @now)",
                    new { version, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, transaction);
            }
            return 0;
        }, cancellationToken);
    }
}
