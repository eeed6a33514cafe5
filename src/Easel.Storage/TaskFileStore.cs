using System.Data;
using System.Data.Common;
using Dapper;
using Easel.Core.Retention;
using static Easel.Storage.TaskStatements;

namespace Easel.Storage;

/// <summary>
/// Which blobs may go when tasks give up their files, in SQL both databases run. A task holds the blobs listed for it
/// in task_blobs (its results, written with its completion; its inputs, written with its create) until it is marked
/// files_deleted_at. A release marks the tasks and, in the same transaction, lists in blob_deletions each of their
/// blobs that no unmarked task holds. SqliteTaskFileStore and PostgresTaskFileStore add the locks that differ.
/// </summary>
public abstract class TaskFileStore : ITaskFileStore
{
    private readonly IStoreDatabase _db;
    private readonly StoreDialect _dialect;

    private protected TaskFileStore(IStoreDatabase db, StoreDialect dialect)
    {
        _db = db;
        _dialect = dialect;
    }

    /// <summary>
    /// Before a blob's holders are counted: PostgreSQL serialises the releases that count the same blob, so two
    /// releases of its last two holders cannot each see the other unmarked and both keep it (SQLite has one writer).
    /// </summary>
    private protected abstract Task LockBlobAsync(DbConnection connection, IDbTransaction transaction, string blobKey);

    public abstract Task<IAsyncDisposable?> TryLockSweeperAsync(CancellationToken cancellationToken);

    public Task<IReadOnlyList<string>> ExpiredAsync(DateTimeOffset finishedBefore, int limit, CancellationToken cancellationToken) =>
        _db.ReadAsync<IReadOnlyList<string>>(async c => (await c.QueryAsync<string>(
            $"""
            SELECT id FROM tasks
            WHERE files_deleted_at IS NULL AND state IN ({Completed}, {Failed}, {Cancelled}) AND finished_at < @cutoff
            ORDER BY finished_at LIMIT @limit
            """, new { cutoff = _dialect.Instant(finishedBefore), limit })).ToList(), cancellationToken);

    public Task<FilesRelease> ReleaseAsync(IReadOnlyList<string> taskIds, string? accountId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        return _db.WriteAsync(async (c, tx) =>
        {
            var at = _dialect.Instant(now);
            var marked = new List<string>(taskIds.Count);
            // In id order, so two releases that share tasks lock their rows in the same order. The UPDATE takes the
            // row lock itself and re-checks its condition after waiting on another release of the task.
            foreach (var id in taskIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                // Results go from the task's views with the mark; the keys stay in task_blobs, the record of what it held.
                if (await c.ExecuteAsync(
                    $"""
                    UPDATE tasks SET files_deleted_at = @at, result_keys = NULL
                    WHERE id = @id AND state IN ({Completed}, {Failed}, {Cancelled}) AND files_deleted_at IS NULL
                      AND (@accountId IS NULL OR account_id = @accountId)
                    """, new { id, at, accountId }, tx) == 1)
                {
                    marked.Add(id);
                }
            }
            var released = new List<string>();
            if (marked.Count == 0)
            {
                return new FilesRelease(marked, released);
            }
            // All the marked tasks' blobs at once, each locked in one global order: releases over different tasks that
            // share blobs would otherwise take the blobs' locks in opposite orders and deadlock.
            var keys = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var id in marked)
            {
                keys.UnionWith(await c.QueryAsync<string>("SELECT blob_key FROM task_blobs WHERE task_id = @id", new { id }, tx));
            }
            foreach (var key in keys)
            {
                await LockBlobAsync(c, tx, key);
                var stillHeld = await c.ExecuteScalarAsync<bool>(
                    """
                    SELECT EXISTS (SELECT 1 FROM task_blobs b JOIN tasks t ON t.id = b.task_id
                                   WHERE b.blob_key = @key AND t.files_deleted_at IS NULL)
                    """, new { key }, tx);
                if (!stillHeld && await c.ExecuteAsync("INSERT INTO blob_deletions (blob_key, queued_at) VALUES (@key, @at) ON CONFLICT (blob_key) DO NOTHING", new { key, at }, tx) == 1)
                {
                    released.Add(key);
                }
            }
            return new FilesRelease(marked, released);
        }, cancellationToken);
    }

    public Task RecordUploadAsync(string blobKey, string accountId, DateTimeOffset at, CancellationToken cancellationToken) =>
        _db.StatementAsync((c, tx) => c.ExecuteAsync(
            "INSERT INTO uploads (blob_key, account_id, created_at) VALUES (@blobKey, @accountId, @at) ON CONFLICT (blob_key) DO NOTHING",
            new { blobKey, accountId, at = _dialect.Instant(at) }, tx), cancellationToken);

    public Task<IReadOnlyList<string>> ReleaseUnusedUploadsAsync(DateTimeOffset uploadedBefore, int limit, DateTimeOffset now, CancellationToken cancellationToken) =>
        _db.WriteAsync<IReadOnlyList<string>>(async (c, tx) =>
        {
            var at = _dialect.Instant(now);
            var candidates = await c.QueryAsync<string>(
                """
                SELECT u.blob_key FROM uploads u
                WHERE u.created_at < @cutoff AND NOT EXISTS (SELECT 1 FROM task_blobs b WHERE b.blob_key = u.blob_key)
                ORDER BY u.created_at, u.blob_key LIMIT @limit
                """, new { cutoff = _dialect.Instant(uploadedBefore), limit }, tx);
            var released = new List<string>();
            foreach (var key in candidates.Order(StringComparer.Ordinal))
            {
                // Counted again under the blob's lock: a task created since the read may hold it now (and one created
                // after this commit fails cleanly on a deleted upload, as after any release).
                await LockBlobAsync(c, tx, key);
                if (await c.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM task_blobs WHERE blob_key = @key)", new { key }, tx))
                {
                    continue;
                }
                await c.ExecuteAsync(
                    """
                    INSERT INTO blob_deletions (blob_key, queued_at) VALUES (@key, @at) ON CONFLICT (blob_key) DO NOTHING;
                    DELETE FROM uploads WHERE blob_key = @key;
                    """, new { key, at }, tx);
                released.Add(key);
            }
            return released;
        }, cancellationToken);

    public Task<IReadOnlyList<string>> QueuedDeletionsAsync(int limit, CancellationToken cancellationToken) =>
        _db.ReadAsync<IReadOnlyList<string>>(async c => (await c.QueryAsync<string>(
            "SELECT blob_key FROM blob_deletions ORDER BY queued_at, blob_key LIMIT @limit", new { limit })).ToList(), cancellationToken);

    public Task ForgetDeletionsAsync(IReadOnlyList<string> blobKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobKeys);
        return _db.WriteAsync((c, tx) => c.ExecuteAsync(
            "DELETE FROM blob_deletions WHERE blob_key = @key; DELETE FROM uploads WHERE blob_key = @key;", blobKeys.Select(key => new { key }), tx), cancellationToken);
    }
}
