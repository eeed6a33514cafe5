using Dapper;

namespace Easel.Storage.Postgres;

/// <summary>
/// The schema of scale-out mode, as an ordered list of steps, with the meaning of SqliteMigrations in PostgreSQL
/// types: money in bigint micro-credits, instants as timestamptz, JSON as jsonb. A database records the steps it
/// has; start-up applies the rest in one transaction. Never edit a step that has shipped: add one.
/// </summary>
public static class PostgresMigrations
{
    // Any constant will do, so long as every node uses the same one: nodes starting together migrate one at a time.
    private const long MigrationLock = 0x45_61_73_65_6C_00_00_01;

    private static readonly string[] Steps =
    [
        // 1: everything the SQLite schema reached in its steps 1-3 (accounts, keys, tasks, money, callbacks).
        """
        CREATE TABLE accounts (
            id                text PRIMARY KEY,
            name              text NOT NULL,
            is_admin          boolean NOT NULL,
            created_at        timestamptz NOT NULL,
            balance_micros    bigint NOT NULL DEFAULT 0,
            unlimited         boolean NOT NULL DEFAULT false,
            price_group       text NOT NULL DEFAULT 'default',
            webhook_secret    text NOT NULL,
            max_active_tasks  integer
        );
        CREATE TABLE api_keys (
            id               text PRIMARY KEY,
            account_id       text NOT NULL REFERENCES accounts(id),
            key_hash         bytea NOT NULL UNIQUE,
            name             text NOT NULL DEFAULT 'default',
            models           jsonb,
            rate_per_minute  integer,
            burst            integer,
            created_at       timestamptz NOT NULL,
            revoked_at       timestamptz
        );
        CREATE INDEX api_keys_account ON api_keys(account_id);

        CREATE TABLE tasks (
            id               text PRIMARY KEY,
            account_id       text NOT NULL REFERENCES accounts(id),
            dialect          integer NOT NULL,
            kind             integer NOT NULL,
            -- text, not jsonb: the serialized operation must come back byte for byte (jsonb reorders keys, and the
            -- polymorphic reader wants its type discriminator first).
            operation        text NOT NULL,
            state            integer NOT NULL,
            progress         integer NOT NULL DEFAULT 0,
            priority         integer NOT NULL,
            created_at       timestamptz NOT NULL,
            started_at       timestamptz,
            finished_at      timestamptz,
            price_micros     bigint NOT NULL,
            price_group      text NOT NULL DEFAULT 'default',
            failure_kind     integer,
            failure_message  text,
            result_keys      jsonb,
            callback_url     text,
            base_url         text,
            attempts         integer NOT NULL DEFAULT 0,
            lease_node       text,
            lease_token      text,
            lease_expires_at timestamptz
        );
        CREATE INDEX tasks_pending ON tasks(priority DESC, created_at) WHERE state = 0;
        CREATE INDEX tasks_processing ON tasks(lease_expires_at) WHERE state = 1;
        CREATE INDEX tasks_recent_completed ON tasks(kind, finished_at) WHERE state = 2;
        CREATE INDEX tasks_account ON tasks(account_id, created_at);
        CREATE INDEX tasks_active ON tasks(account_id) WHERE state IN (0, 1);

        CREATE TABLE ledger (
            id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            account_id     text NOT NULL REFERENCES accounts(id),
            task_id        text,
            kind           integer NOT NULL,
            amount_micros  bigint NOT NULL,
            reason         text,
            created_at     timestamptz NOT NULL
        );
        CREATE INDEX ledger_account ON ledger(account_id, id);
        -- A task is reserved once and settled once (charge or refund), whatever retries or nodes race around it.
        CREATE UNIQUE INDEX ledger_task_reserve ON ledger(task_id) WHERE kind = 0;
        CREATE UNIQUE INDEX ledger_task_settle ON ledger(task_id) WHERE kind IN (1, 2);

        CREATE TABLE idempotency_keys (
            account_id    text NOT NULL,
            key           text NOT NULL,
            request_hash  bytea NOT NULL,
            task_id       text NOT NULL,
            created_at    timestamptz NOT NULL,
            PRIMARY KEY (account_id, key)
        );

        CREATE TABLE callback_deliveries (
            id               text PRIMARY KEY,
            task_id          text NOT NULL REFERENCES tasks(id),
            account_id       text NOT NULL,
            event            text NOT NULL,
            url              text NOT NULL,
            state            integer NOT NULL DEFAULT 0,
            attempts         integer NOT NULL DEFAULT 0,
            next_attempt_at  timestamptz NOT NULL,
            lease_token      text,
            lease_expires_at timestamptz,
            body             text,
            last_status      integer,
            last_error       text,
            delivered_at     timestamptz,
            created_at       timestamptz NOT NULL
        );
        CREATE INDEX callback_deliveries_due ON callback_deliveries(next_attempt_at) WHERE state = 0;
        CREATE INDEX callback_deliveries_task ON callback_deliveries(task_id);
        """,
        // 2: the X-Request-Id of the create (SQLite step 4), so an operator can go from a task to its request's log line.
        """
        ALTER TABLE tasks ADD COLUMN request_id text;
        """,
        // 3: the create request's W3C traceparent (SQLite step 5), so the worker's and the callbacks' spans continue
        // its trace; copied onto each callback's outbox row with the terminal state.
        """
        ALTER TABLE tasks ADD COLUMN trace_parent text;
        ALTER TABLE callback_deliveries ADD COLUMN trace_parent text;
        """,
        // 4: engines (SQLite step 6): the engine a task ran on and its upstream job (submission key and wake-up token
        // before the request is sent, the upstream's id once it answered, the poll schedule, the upstream's cost).
        """
        ALTER TABLE tasks ADD COLUMN engine text;
        ALTER TABLE tasks ADD COLUMN upstream_key text;
        ALTER TABLE tasks ADD COLUMN wake_token text;
        ALTER TABLE tasks ADD COLUMN upstream_id text;
        ALTER TABLE tasks ADD COLUMN submitted_at timestamptz;
        ALTER TABLE tasks ADD COLUMN next_poll_at timestamptz;
        ALTER TABLE tasks ADD COLUMN polls integer NOT NULL DEFAULT 0;
        ALTER TABLE tasks ADD COLUMN upstream_cost_micros bigint;
        ALTER TABLE tasks ADD COLUMN upstream_cost_unit text;
        CREATE INDEX tasks_waiting ON tasks (lease_node, next_poll_at) WHERE upstream_id IS NOT NULL AND lease_node IS NOT NULL;
        """,
        // 5: a key's token bucket, shared by every node (PostgresKeyRateLimiter): the tokens left at refilled_at (the
        // database's clock), and whether the last take was granted (RETURNING sees only the new row). SQLite mode keeps
        // its buckets in memory: it has one node.
        """
        CREATE TABLE key_buckets (
            key_id       text PRIMARY KEY,
            tokens       double precision NOT NULL,
            refilled_at  timestamptz NOT NULL,
            granted      boolean NOT NULL
        );
        """,
        // 6: retention (SQLite step 7): the mark of a task whose files were deleted, the blobs each task holds, the
        // outbox of blobs released but not yet deleted, and the holds of tasks made before this step.
        """
        ALTER TABLE tasks ADD COLUMN files_deleted_at timestamptz;
        CREATE INDEX tasks_retention ON tasks(finished_at) WHERE files_deleted_at IS NULL AND state IN (2, 3, 4);
        CREATE TABLE task_blobs (
            blob_key  text NOT NULL,
            task_id   text NOT NULL,
            PRIMARY KEY (blob_key, task_id)
        );
        CREATE INDEX task_blobs_task ON task_blobs(task_id);
        CREATE TABLE blob_deletions (
            blob_key   text PRIMARY KEY,
            queued_at  timestamptz NOT NULL
        );
        INSERT INTO task_blobs (blob_key, task_id)
            SELECT DISTINCT jsonb_array_elements_text(result_keys), id FROM tasks WHERE jsonb_typeof(result_keys) = 'array'
            ON CONFLICT DO NOTHING;
        INSERT INTO task_blobs (blob_key, task_id)
            SELECT DISTINCT k #>> '{}', t.id FROM tasks t, jsonb_path_query(t.operation::jsonb, 'strict $.**.BlobKey') AS k
            WHERE jsonb_typeof(k) = 'string'
            ON CONFLICT DO NOTHING;
        INSERT INTO task_blobs (blob_key, task_id)
            SELECT s.result_keys ->> ((t.operation::jsonb #>> '{From,ImageNumber}')::int), t.id
            FROM tasks t JOIN tasks s ON s.id = t.operation::jsonb #>> '{From,TaskId}'
            WHERE s.result_keys ->> ((t.operation::jsonb #>> '{From,ImageNumber}')::int) IS NOT NULL
            ON CONFLICT DO NOTHING;
        """,
        // 7: the terminal webhook delivery of an upstream whose results come by webhook (SQLite step 8): its raw body or
        // the reason it was refused unread; deleted when the task ends.
        """
        CREATE TABLE upstream_deliveries (
            task_id        text PRIMARY KEY REFERENCES tasks(id),
            submission_key text NOT NULL,
            body           bytea,
            refusal        text,
            received_at    timestamptz NOT NULL
        );
        """,
        // 8: the count of a waiting task's wake-ups, which the poller's schedule compares instead of clocks (SQLite step 9).
        """
        ALTER TABLE tasks ADD COLUMN wakes bigint NOT NULL DEFAULT 0;
        """,
        // 9: the uploads, for retention to delete those no task read (SQLite step 10).
        """
        CREATE TABLE uploads (
            blob_key    text PRIMARY KEY,
            account_id  text NOT NULL,
            created_at  timestamptz NOT NULL
        );
        CREATE INDEX uploads_created ON uploads(created_at);
        """,
    ];

    /// <summary>The newest schema version this Easel knows.</summary>
    public static int LatestVersion => Steps.Length;

    public static Task ApplyAsync(PostgresDatabase database, TimeProvider time, CancellationToken cancellationToken) =>
        ApplyAsync(database, time, Steps.Length, cancellationToken);

    /// <summary>Up to <paramref name="version"/> only: the tests of a step's backfill start from the schema before it.</summary>
    internal static async Task ApplyAsync(PostgresDatabase database, TimeProvider time, int version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        await database.WriteAsync(async (connection, transaction) =>
        {
            // Held to the end of this transaction: a second node starting at the same moment waits, then finds
            // the steps applied. Without it both would try to create the same tables.
            await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@MigrationLock)", new { MigrationLock }, transaction);
            await connection.ExecuteAsync(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)",
                transaction: transaction);
            var applied = await connection.ExecuteScalarAsync<int>(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", transaction: transaction);
            if (applied > Steps.Length)
            {
                throw new InvalidOperationException(
                    $"The database is at schema version {applied}, newer than this Easel ({Steps.Length}); refusing to run on it.");
            }
            for (var step = applied + 1; step <= version; step++)
            {
                await connection.ExecuteAsync(Steps[step - 1], transaction: transaction);
                await connection.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (@step, @now)",
                    new { step, now = time.GetUtcNow() }, transaction);
            }
            return 0;
        }, cancellationToken);
    }
}
