using System.Net;
using System.Runtime.InteropServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Easel.Core.Blobs;

namespace Easel.Storage.Blobs;

/// <summary>
/// Blobs as objects of an S3-compatible bucket, under the same keys as the file store ("ab/&lt;32 hex&gt;.png",
/// <see cref="BlobKeys"/>), each stored with its content type and the immutable Cache-Control, so the bucket serves
/// them as Easel would (presigned redirects). A PUT is atomic in S3: a failed save leaves no object behind.
/// </summary>
public sealed class S3BlobStore(IAmazonS3 client, S3BlobOptions options) : IBlobStore, IPresignedBlobUrls
{
    private readonly string _bucket = options.Bucket ?? throw new ArgumentException("a bucket is required", nameof(options));

    /// <summary>The start-up check: the bucket exists and these credentials reach it. Throws with the reason.</summary>
    public async Task CheckBucketAsync(CancellationToken cancellationToken)
    {
        var where = options.Endpoint is { } endpoint ? $" at {endpoint}" : $" in AWS S3 ({client.Config.RegionEndpoint?.SystemName ?? "no region"})";
        try
        {
            await client.HeadBucketAsync(new HeadBucketRequest { BucketName = _bucket }, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new BlobStoreException($"The bucket '{_bucket}'{where} does not exist; create it, or correct Easel:Blobs:S3:Bucket.", e);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            throw new BlobStoreException($"The bucket '{_bucket}'{where} refused these credentials ({(int)e.StatusCode} {e.ErrorCode}); check Easel:Blobs:S3:AccessKey/SecretKey or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.", e);
        }
        catch (Exception e) when (IsStoreFault(e, cancellationToken))
        {
            throw new BlobStoreException($"The bucket '{_bucket}'{where} could not be reached: {e.Message}", e);
        }
    }

    /// <summary>
    /// The PUT of one blob as Easel writes every object (a save, or the migration of a data directory's file): its
    /// content type and cache header from the key, the length known, the body left open for its owner.
    /// </summary>
    public static PutObjectRequest PutRequest(string bucket, string key, Stream body, long length)
    {
        var request = new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = body,
            AutoCloseStream = false,
            ContentType = BlobKeys.ContentTypeOf(key),
            // A plain signed body (its SHA-256 is computed over the same bytes), not aws-chunked: every S3-like takes it.
            UseChunkEncoding = false,
        };
        request.Headers.CacheControl = BlobKeys.CacheControl;
        request.Headers.ContentLength = length;
        return request;
    }

    public async Task<string> SaveAsync(ReadOnlyMemory<byte> content, string extension, CancellationToken cancellationToken)
    {
        var key = BlobKeys.New(extension);
        // The caller's bytes as the request body, read in place: the whole image is never held twice.
        await using var body = AsStream(content);
        var request = PutRequest(_bucket, key, body, content.Length);
        await RunAsync("store", key, () => client.PutObjectAsync(request, cancellationToken), cancellationToken);
        return key;
    }

    public async Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        if (!BlobKeys.IsValid(key))
        {
            return null;
        }
        using var response = await GetAsync(key, null, cancellationToken);
        if (response is null)
        {
            return null;
        }
        var bytes = new byte[response.ContentLength];
        await RunAsync("read", key, async () =>
        {
            await response.ResponseStream.ReadExactlyAsync(bytes, cancellationToken);
            return 0;
        }, cancellationToken);
        return bytes;
    }

    public async Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        if (!BlobKeys.IsValid(key))
        {
            return null;
        }
        var response = await GetAsync(key, null, cancellationToken);
        return response is null ? null : new S3ObjectStream(this, key, response);
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        if (BlobKeys.IsValid(key))
        {
            // S3 answers 204 for a key that does not exist, as the file store ignores a missing file.
            await RunAsync("delete", key, () => client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _bucket, Key = key }, cancellationToken), cancellationToken);
        }
    }

    public Uri PresignedUrlOf(string key)
    {
        var request = new GetPreSignedUrlRequest
        {
            BucketName = _bucket,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow + options.PresignedUrlLifetime,
            // The SDK signs https:// unless told: an http endpoint (a MinIO on a private network) gets http URLs.
            Protocol = options.Endpoint?.Scheme == Uri.UriSchemeHttp ? Protocol.HTTP : Protocol.HTTPS,
        };
        return new Uri(client.GetPreSignedURL(request));
    }

    /// <summary>The object from <paramref name="from"/> on (null: whole), or null when there is no such object.</summary>
    internal async Task<GetObjectResponse?> GetAsync(string key, long? from, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = _bucket, Key = key };
        if (from is long start)
        {
            request.ByteRange = new ByteRange($"bytes={start}-");
        }
        try
        {
            return await client.GetObjectAsync(request, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode is "NoSuchKey" or "NotFound")
        {
            return null;
        }
        catch (Exception e) when (IsStoreFault(e, cancellationToken))
        {
            throw Fault("read", key, e);
        }
    }

    private async Task RunAsync<T>(string operation, string key, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            await call();
        }
        catch (Exception e) when (IsStoreFault(e, cancellationToken))
        {
            throw Fault(operation, key, e);
        }
    }

    internal static bool IsStoreFault(Exception e, CancellationToken cancellationToken) =>
        e is AmazonServiceException or HttpRequestException or IOException
        || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    internal BlobStoreException Fault(string operation, string key, Exception e) => e is AmazonS3Exception s3
        ? new BlobStoreException($"The bucket '{_bucket}' refused to {operation} {key}: {(int)s3.StatusCode} {s3.ErrorCode} ({s3.Message})", e)
        : new BlobStoreException($"The bucket '{_bucket}' could not be reached to {operation} {key}: {e.Message}", e);

    private static MemoryStream AsStream(ReadOnlyMemory<byte> content) =>
        MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
}
