using Easel.Core.Blobs;
using Easel.Core.Observability;
using Easel.Core.Operations;
using Easel.Core.Tasks;

namespace Easel.Core.Retention;

/// <summary>
/// Deletes finished tasks' files: the retention sweep (tasks finished more than Easel:Retention:Days ago) and a client's
/// DELETE of its own task's files. Both mark first and delete after: the transaction that marks the tasks also lists
/// the blobs no other task holds in an outbox, and only then are they deleted and taken off it. A crash between the
/// two leaves blobs nobody claims (the next sweep deletes them); the other order could leave a task whose results
/// point at deleted blobs.
/// </summary>
public sealed class TaskFiles(ITaskFileStore store, IBlobStore blobs, RetentionOptions options, FinishedTasks finished, EaselMetrics metrics, TimeProvider time)
{
    /// <summary>The blobs a new task reads, recorded with it: its stored input image and mask, and its source task's image.</summary>
    public static IReadOnlyList<string> InputsOf(Operation operation, TaskRecord? source)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var keys = new List<string>(2);
        if (operation.InputImage is StoredImage image)
        {
            keys.Add(image.BlobKey);
        }
        if (Engines.SourceImages.MaskOf(operation) is ImageMask { Image: StoredImage mask })
        {
            keys.Add(mask.BlobKey);
        }
        if (operation.Source is { } from && source is not null && from.ImageNumber < source.ResultKeys.Count)
        {
            keys.Add(source.ResultKeys[from.ImageNumber]);
        }
        return keys;
    }

    /// <summary>
    /// One sweep, if this node has the sweeper's turn: first the blobs an earlier release listed but did not delete,
    /// then the expired tasks, a batch per transaction, then the expired uploads no task read. Returns the number of tasks released (null: not our turn).
    /// </summary>
    public async Task<int?> SweepAsync(CancellationToken cancellationToken)
    {
        await using var turn = await store.TryLockSweeperAsync(cancellationToken);
        if (turn is null)
        {
            return null;
        }
        while (await store.QueuedDeletionsAsync(options.BatchSize, cancellationToken) is { Count: > 0 } queued)
        {
            await DeleteAsync(queued, FilesTrigger.Retention, cancellationToken);
        }
        if (options.Days is not int days)
        {
            return 0;
        }
        var released = 0;
        while (true)
        {
            var now = time.GetUtcNow();
            var expired = await store.ExpiredAsync(now - TimeSpan.FromDays(days), options.BatchSize, cancellationToken);
            if (expired.Count == 0)
            {
                break;
            }
            var release = await store.ReleaseAsync(expired, accountId: null, now, cancellationToken);
            released += release.MarkedTaskIds.Count;
            finished.Forget(release.MarkedTaskIds);
            metrics.TaskFilesReleased(FilesTrigger.Retention, release.MarkedTaskIds.Count);
            await DeleteAsync(release.ReleasedBlobKeys, FilesTrigger.Retention, cancellationToken);
            if (expired.Count < options.BatchSize)
            {
                break;
            }
        }
        // Uploads no task read are nobody's files: they go once they are as old as a task's would.
        while (true)
        {
            var now = time.GetUtcNow();
            var unused = await store.ReleaseUnusedUploadsAsync(now - TimeSpan.FromDays(days), options.BatchSize, now, cancellationToken);
            await DeleteAsync(unused, FilesTrigger.Retention, cancellationToken);
            if (unused.Count < options.BatchSize)
            {
                return released;
            }
        }
    }

    /// <summary>Records an upload once its blob is saved (an upload no task reads then expires with retention).</summary>
    public Task RecordUploadAsync(string blobKey, string accountId, CancellationToken cancellationToken) =>
        store.RecordUploadAsync(blobKey, accountId, time.GetUtcNow(), cancellationToken);

    /// <summary>
    /// A client's delete of its own finished task's files (the caller has checked the account and the state). True when
    /// this call marked it; false when its files were already gone (the call is idempotent).
    /// </summary>
    public async Task<bool> DeleteOfTaskAsync(TaskRecord task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var release = await store.ReleaseAsync([task.Id], task.AccountId, time.GetUtcNow(), cancellationToken);
        finished.Forget(release.MarkedTaskIds);
        metrics.TaskFilesReleased(FilesTrigger.Client, release.MarkedTaskIds.Count);
        // Not the request's token: once listed, the blobs are deleted even if the client hangs up.
        await DeleteAsync(release.ReleasedBlobKeys, FilesTrigger.Client, CancellationToken.None);
        return release.MarkedTaskIds.Count > 0;
    }

    private async Task DeleteAsync(IReadOnlyList<string> keys, FilesTrigger trigger, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }
        foreach (var key in keys)
        {
            await blobs.DeleteAsync(key, cancellationToken);
        }
        await store.ForgetDeletionsAsync(keys, cancellationToken);
        metrics.BlobsDeleted(trigger, keys.Count);
    }
}

/// <summary>Who deleted a task's files: the retention sweep or the client (the metrics' label).</summary>
public enum FilesTrigger { Retention, Client }
