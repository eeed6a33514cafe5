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
        // 2: money. Balances in integer micro-credits, a ledger whose sum is the balance, settlement once per task.
        """
        ALTER TABLE accounts ADD COLUMN balance_micros INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE accounts ADD COLUMN unlimited INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE accounts ADD COLUMN price_group TEXT NOT NULL DEFAULT 'default';
        ALTER TABLE accounts ADD COLUMN webhook_secret TEXT NOT NULL DEFAULT '';
        ALTER TABLE accounts ADD COLUMN max_active_tasks INTEGER;
        UPDATE accounts SET unlimited = 1 WHERE is_admin = 1;
        UPDATE accounts SET webhook_secret = 'whsec_' || lower(hex(randomblob(32))) WHERE webhook_secret = '';

        ALTER TABLE api_keys ADD COLUMN name TEXT NOT NULL DEFAULT 'default';
        ALTER TABLE api_keys ADD COLUMN models TEXT;
        ALTER TABLE api_keys ADD COLUMN rate_per_minute INTEGER;
        ALTER TABLE api_keys ADD COLUMN burst INTEGER;
        CREATE INDEX api_keys_account ON api_keys(account_id);

        ALTER TABLE tasks ADD COLUMN price_group TEXT NOT NULL DEFAULT 'default';
        CREATE INDEX tasks_active ON tasks(account_id) WHERE state IN (0, 1);

        CREATE TABLE ledger (
            id             INTEGER PRIMARY KEY AUTOINCREMENT,
            account_id     TEXT NOT NULL REFERENCES accounts(id),
            task_id        TEXT,
            kind           INTEGER NOT NULL,
            amount_micros  INTEGER NOT NULL,
            reason         TEXT,
            created_at     INTEGER NOT NULL
        );
        CREATE INDEX ledger_account ON ledger(account_id, id);
        -- A task is reserved once and settled once (charge or refund), whatever retries happen around it.
        CREATE UNIQUE INDEX ledger_task_reserve ON ledger(task_id) WHERE kind = 0;
        CREATE UNIQUE INDEX ledger_task_settle ON ledger(task_id) WHERE kind IN (1, 2);

        -- Tasks created before there was a ledger: their reservation and settlement, so the sums hold.
        INSERT INTO ledger (account_id, task_id, kind, amount_micros, created_at)
            SELECT account_id, id, 0, -price_micros, created_at FROM tasks;
        INSERT INTO ledger (account_id, task_id, kind, amount_micros, created_at)
            SELECT account_id, id, CASE state WHEN 2 THEN 1 ELSE 2 END, CASE state WHEN 2 THEN 0 ELSE price_micros END, COALESCE(finished_at, created_at)
            FROM tasks WHERE state IN (2, 3, 4);
        UPDATE accounts SET balance_micros = (SELECT COALESCE(SUM(amount_micros), 0) FROM ledger WHERE ledger.account_id = accounts.id);

        CREATE TABLE idempotency_keys (
            account_id    TEXT NOT NULL,
            key           TEXT NOT NULL,
            request_hash  BLOB NOT NULL,
            task_id       TEXT NOT NULL,
            created_at    INTEGER NOT NULL,
            PRIMARY KEY (account_id, key)
        );
        """,
        // 3: callbacks. An outbox row per callback, written with the terminal state; its attempts are recorded.
        """
        ALTER TABLE tasks ADD COLUMN base_url TEXT;
        CREATE TABLE callback_deliveries (
            id               TEXT PRIMARY KEY,
            task_id          TEXT NOT NULL REFERENCES tasks(id),
            account_id       TEXT NOT NULL,
            event            TEXT NOT NULL,
            url              TEXT NOT NULL,
            state            INTEGER NOT NULL DEFAULT 0,
            attempts         INTEGER NOT NULL DEFAULT 0,
            next_attempt_at  INTEGER NOT NULL,
            lease_token      TEXT,
            lease_expires_at INTEGER,
            body             TEXT,
            last_status      INTEGER,
            last_error       TEXT,
            delivered_at     INTEGER,
            created_at       INTEGER NOT NULL
        );
        CREATE INDEX callback_deliveries_due ON callback_deliveries(next_attempt_at) WHERE state = 0;
        CREATE INDEX callback_deliveries_task ON callback_deliveries(task_id);
        """,
        // 4: the X-Request-Id of the create, so an operator can go from a task to its request's log line.
        """
        ALTER TABLE tasks ADD COLUMN request_id TEXT;
        """,
        // 5: the create request's W3C traceparent, so the worker's and the callbacks' spans continue its trace (a
        // restart or another node in between); copied onto each callback's outbox row with the terminal state.
        """
        ALTER TABLE tasks ADD COLUMN trace_parent TEXT;
        ALTER TABLE callback_deliveries ADD COLUMN trace_parent TEXT;
        """,
        // 6: engines (API.md section 10): the engine a task ran on, and its upstream job: the submission key and wake-up
        // token written before the request is sent, the upstream's id once it answered, the poll schedule and the
        // upstream's own cost. The poller's index holds only waiting tasks (a finished task's lease_node is NULL).
        """
        ALTER TABLE tasks ADD COLUMN engine TEXT;
        ALTER TABLE tasks ADD COLUMN upstream_key TEXT;
        ALTER TABLE tasks ADD COLUMN wake_token TEXT;
        ALTER TABLE tasks ADD COLUMN upstream_id TEXT;
        ALTER TABLE tasks ADD COLUMN submitted_at INTEGER;
        ALTER TABLE tasks ADD COLUMN next_poll_at INTEGER;
        ALTER TABLE tasks ADD COLUMN polls INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE tasks ADD COLUMN upstream_cost_micros INTEGER;
        ALTER TABLE tasks ADD COLUMN upstream_cost_unit TEXT;
        CREATE INDEX tasks_waiting ON tasks (lease_node, next_poll_at) WHERE upstream_id IS NOT NULL AND lease_node IS NOT NULL;
        """,
        // 7: retention (README "Retention"). files_deleted_at marks a task whose files were deleted (its results then
        // absent); task_blobs holds, per task, its results and the stored blobs it reads (uploads, result files named by
        // URL, its source task's image), so a blob is deleted only when no task keeping its files holds it; blob_deletions is the
        // outbox of blobs released but not yet deleted (a crash in between leaves them listed, not claimed). The
        // backfill reads the holds of tasks made before this step from their stored operations.
        """
        ALTER TABLE tasks ADD COLUMN files_deleted_at INTEGER;
        CREATE INDEX tasks_retention ON tasks(finished_at) WHERE files_deleted_at IS NULL AND state IN (2, 3, 4);
        CREATE TABLE task_blobs (
            blob_key  TEXT NOT NULL,
            task_id   TEXT NOT NULL,
            PRIMARY KEY (blob_key, task_id)
        );
        CREATE INDEX task_blobs_task ON task_blobs(task_id);
        CREATE TABLE blob_deletions (
            blob_key   TEXT PRIMARY KEY,
            queued_at  INTEGER NOT NULL
        );
        INSERT OR IGNORE INTO task_blobs (blob_key, task_id)
            SELECT j.value, t.id FROM tasks t, json_each(t.result_keys) j WHERE t.result_keys IS NOT NULL;
        INSERT OR IGNORE INTO task_blobs (blob_key, task_id)
            SELECT j.value, t.id FROM tasks t, json_tree(t.operation) j WHERE j.key = 'BlobKey' AND j.type = 'text';
        INSERT OR IGNORE INTO task_blobs (blob_key, task_id)
            SELECT json_extract(s.result_keys, '$[' || json_extract(t.operation, '$.From.ImageNumber') || ']'), t.id
            FROM tasks t JOIN tasks s ON s.id = json_extract(t.operation, '$.From.TaskId')
            WHERE json_extract(s.result_keys, '$[' || json_extract(t.operation, '$.From.ImageNumber') || ']') IS NOT NULL;
        """,
        // 8: an upstream whose results come by webhook (cog; nothing there can be polled): its terminal delivery, recorded
        // before the upstream is answered, as its raw body or the reason it was refused unread; deleted when the task ends.
        """
        CREATE TABLE upstream_deliveries (
            task_id        TEXT PRIMARY KEY REFERENCES tasks(id),
            submission_key TEXT NOT NULL,
            body           BLOB,
            refusal        TEXT,
            received_at    INTEGER NOT NULL
        );
        """,
        // 9: a count of the wake-ups a waiting task has had. The poller's schedule after a poll keeps the wake-up's poll
        // when the count moved since the job was read: a clock comparison lost a delivery whose instant was taken
        // before a poll began but committed after that poll read (a 40 MB body takes that long to write).
        """
        ALTER TABLE tasks ADD COLUMN wakes INTEGER NOT NULL DEFAULT 0;
        """,
        // 10: the uploads (POST /v1/files), so that retention can delete those no task ever read once they are older
        // than Retention:Days. A used upload is a task's blob (task_blobs) and goes with the last task that holds it;
        // its row goes when its blob is deleted. Uploads made before this step have no row and are kept.
        """
        CREATE TABLE uploads (
            blob_key    TEXT PRIMARY KEY,
            account_id  TEXT NOT NULL,
            created_at  INTEGER NOT NULL
        );
        CREATE INDEX uploads_created ON uploads(created_at);
        """,
    ];

    public static Task ApplyAsync(SqliteDatabase database, TimeProvider time, CancellationToken cancellationToken) =>
        ApplyAsync(database, time, Steps.Length, cancellationToken);

    /// <summary>Up to <paramref name="version"/> only: the tests of a step's backfill start from the schema before it.</summary>
    internal static async Task ApplyAsync(SqliteDatabase database, TimeProvider time, int version, CancellationToken cancellationToken)
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
            for (var step = (int)applied + 1; step <= version; step++)
            {
                await connection.ExecuteAsync(Steps[step - 1], transaction: transaction);
                await connection.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (@step, @now)",
                    new { step, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, transaction);
            }
            return 0;
        }, cancellationToken);
    }
}
