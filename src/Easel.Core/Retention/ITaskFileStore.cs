namespace Easel.Core.Retention;

/// <summary>
/// The store's side of deleting tasks' files. A blob is released (listed for deletion) only in the transaction that
/// marks the last task holding it: a task holds its results and the blobs recorded with it at create (uploads, result
/// files named by URL, its source task's image), for as long as it keeps its files. Released blobs wait in an outbox
/// until they are deleted, so a crash between the commit and the deletion leaves them listed, never claimed.
/// </summary>
public interface ITaskFileStore
{
    /// <summary>Finished tasks (completed, failed, cancelled) that still have their files and finished before the cutoff, oldest first.</summary>
    Task<IReadOnlyList<string>> ExpiredAsync(DateTimeOffset finishedBefore, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: marks those of the tasks that are finished, still have their files (and belong to the
    /// account, when one is given); clears their results; and lists for deletion each of their blobs that no task still
    /// keeping its files holds.
    /// </summary>
    Task<FilesRelease> ReleaseAsync(IReadOnlyList<string> taskIds, string? accountId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records an upload (POST /v1/files) once its blob is saved, so an upload no task reads can expire.</summary>
    Task RecordUploadAsync(string blobKey, string accountId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// In one transaction: lists for deletion up to <paramref name="limit"/> uploads made before the cutoff that no task
    /// holds, oldest first, and takes them off the uploads. Returns the blobs it listed.
    /// </summary>
    Task<IReadOnlyList<string>> ReleaseUnusedUploadsAsync(DateTimeOffset uploadedBefore, int limit, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Blobs released but not yet known to be deleted (a crash, or a store that failed), oldest first.</summary>
    Task<IReadOnlyList<string>> QueuedDeletionsAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Deleted: off the outbox (and off the uploads, for an upload).</summary>
    Task ForgetDeletionsAsync(IReadOnlyList<string> blobKeys, CancellationToken cancellationToken);

    /// <summary>The sweeper's turn: null when another node holds it. Disposing gives it back.</summary>
    Task<IAsyncDisposable?> TryLockSweeperAsync(CancellationToken cancellationToken);
}

/// <summary>What one release did: the tasks it marked and the blobs it listed for deletion.</summary>
public sealed record FilesRelease(IReadOnlyList<string> MarkedTaskIds, IReadOnlyList<string> ReleasedBlobKeys);
