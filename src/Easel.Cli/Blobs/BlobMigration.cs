using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Easel.Core.Blobs;
using Easel.Storage.Blobs;

namespace Easel.Cli.Blobs;

/// <summary>What one migration run did, file by file.</summary>
internal sealed record MigrationReport(int Copied, long CopiedBytes, int AlreadyThere, int Replaced, IReadOnlyList<string> Skipped, IReadOnlyList<string> Failed);

/// <summary>
/// Copies a data directory's files/ into a bucket under the same keys (a file's path under files/ is its key), so
/// the URLs already handed out keep working once the nodes switch to Easel:Blobs:Provider s3. Idempotent and so
/// resumable: each file is first compared with the bucket's object (HEAD: the size, and the ETag where it is the
/// content's MD5, i.e. a single-part upload), and only a missing or different object is uploaded. A PUT is atomic, so
/// an interrupted run leaves whole objects or none, and the next run copies what is left. Local files are never
/// deleted: the operator removes them after the switch.
/// </summary>
internal sealed class BlobMigration(IAmazonS3 client, string bucket, int parallelism)
{
    public async Task<MigrationReport> RunAsync(string filesDirectory, Action<string> progress, CancellationToken cancellationToken)
    {
        var copied = 0;
        var copiedBytes = 0L;
        var already = 0;
        var replaced = 0;
        var skipped = new ConcurrentBag<string>();
        var failed = new ConcurrentBag<string>();
        var files = Directory.Exists(filesDirectory)
            ? Directory.EnumerateFiles(filesDirectory, "*", SearchOption.AllDirectories)
            : [];
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (path, ct) =>
        {
            var key = Path.GetRelativePath(filesDirectory, path).Replace(Path.DirectorySeparatorChar, '/');
            if (!BlobKeys.IsValid(key))
            {
                // A temporary file of an interrupted write, a readiness probe, or something that is not Easel's.
                skipped.Add(key);
                return;
            }
            try
            {
                var length = new FileInfo(path).Length;
                var existing = await HeadAsync(key, ct);
                if (existing is not null && await SameAsync(existing, path, length, ct))
                {
                    Interlocked.Increment(ref already);
                    return;
                }
                await UploadAsync(key, path, length, ct);
                Interlocked.Increment(ref copied);
                Interlocked.Add(ref copiedBytes, length);
                if (existing is not null)
                {
                    Interlocked.Increment(ref replaced);
                }
                progress($"copied {key} ({length} bytes)");
            }
            catch (Exception e) when (e is AmazonServiceException or HttpRequestException or IOException or UnauthorizedAccessException
                                      || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                // One file's failure is reported and the rest go on; a second run retries it.
                failed.Add($"{key}: {Describe(e)}");
            }
        });
        return new MigrationReport(copied, copiedBytes, already, replaced,
            [.. skipped.Order(StringComparer.Ordinal)], [.. failed.Order(StringComparer.Ordinal)]);
    }

    private async Task<GetObjectMetadataResponse?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>The object is this file: same size, and where its ETag is an MD5 (no "-": not multipart), the same MD5.</summary>
    private static async Task<bool> SameAsync(GetObjectMetadataResponse existing, string path, long length, CancellationToken cancellationToken)
    {
        if (existing.ContentLength != length)
        {
            return false;
        }
        var etag = existing.ETag?.Trim('"');
        if (etag is null || etag.Contains('-', StringComparison.Ordinal) || etag.Length != 32)
        {
            return true;
        }
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
#pragma warning disable CA5351 // S3 defines a single-part object's ETag as its MD5: this compares with it, it secures nothing.
        var md5 = await MD5.HashDataAsync(file, cancellationToken);
#pragma warning restore CA5351
        return string.Equals(Convert.ToHexStringLower(md5), etag, StringComparison.OrdinalIgnoreCase);
    }

    private async Task UploadAsync(string key, string path, long length, CancellationToken cancellationToken)
    {
        // Streamed from the file: a large data directory is never held in memory.
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        await client.PutObjectAsync(S3BlobStore.PutRequest(bucket, key, file, length), cancellationToken);
    }

    private static string Describe(Exception e) => e is AmazonS3Exception s3
        ? $"{(int)s3.StatusCode} {s3.ErrorCode} ({s3.Message})"
        : e.Message;
}

/// <summary>The bucket check of the server's start-up, for the verb: the same words for the same faults.</summary>
internal static class BucketCheck
{
    public static async Task<string?> ProblemAsync(IAmazonS3 client, S3BlobOptions options, CancellationToken cancellationToken)
    {
        try
        {
            await new S3BlobStore(client, options).CheckBucketAsync(cancellationToken);
            return null;
        }
        catch (BlobStoreException e)
        {
            return e.Message;
        }
    }
}
