namespace Easel.Storage.Blobs;

/// <summary>Easel:Blobs:S3: the bucket, where it is and how to sign for it.</summary>
public sealed class S3BlobOptions
{
    public static readonly TimeSpan MaxPresignedUrlLifetime = TimeSpan.FromDays(7);

    /// <summary>The service's base URL, e.g. http://minio:9000. Unset: AWS S3 itself, in <see cref="Region"/>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>e.g. us-east-1. Unset: AWS_REGION (or the profile's); with an Endpoint, us-east-1, which MinIO-likes accept.</summary>
    public string? Region { get; set; }

    /// <summary>Required; checked at start (it must exist and these credentials must be able to list it).</summary>
    public string? Bucket { get; set; }

    /// <summary>With <see cref="SecretKey"/>; unset: the standard AWS chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the profile, an instance role).</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>Path-style addressing (http://host/bucket/key): true for MinIO-likes; false: virtual-hosted (http://bucket.host/key), AWS's default.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>false: /files/... streams the bytes through Easel; true: it answers 302 to a presigned URL of the bucket.</summary>
    public bool RedirectToPresigned { get; set; }

    /// <summary>How long a presigned URL is valid (from the redirect). 15 minutes: long enough to start a download, short for a leaked URL.</summary>
    public TimeSpan PresignedUrlLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public string? Problem()
    {
        if (string.IsNullOrWhiteSpace(Bucket))
        {
            return "Easel:Blobs:Provider is s3 but Easel:Blobs:S3:Bucket is empty; set it (e.g. Easel__Blobs__S3__Bucket=easel).";
        }
        if (Endpoint is { } endpoint && (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)))
        {
            return $"Easel:Blobs:S3:Endpoint is '{endpoint}'; it must be an http:// or https:// URL, e.g. http://minio:9000.";
        }
        if (string.IsNullOrEmpty(AccessKey) != string.IsNullOrEmpty(SecretKey))
        {
            return "Easel:Blobs:S3:AccessKey and SecretKey go together: set both, or neither (then the standard AWS environment variables are used).";
        }
        if (PresignedUrlLifetime < TimeSpan.FromSeconds(1) || PresignedUrlLifetime > MaxPresignedUrlLifetime)
        {
            return $"Easel:Blobs:S3:PresignedUrlLifetime is {PresignedUrlLifetime}; it must be between 00:00:01 and 7.00:00:00 (the longest a SigV4 signature holds).";
        }
        return null;
    }
}
