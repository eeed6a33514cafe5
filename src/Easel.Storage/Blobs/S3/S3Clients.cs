using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace Easel.Storage.Blobs;

/// <summary>The AWS SDK's client for Easel:Blobs:S3 (the server's store and `easel blobs migrate` make theirs here).</summary>
public static class S3Clients
{
    public static AmazonS3Client Create(S3BlobOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            // The SDK's default since 2025 adds CRC checksums as aws-chunked trailers to every upload; S3-likes that
            // predate them (s3rver, older MinIO and Ceph) refuse those bodies. Checksums only where S3 requires them;
            // SigV4 still signs each body's SHA-256, so integrity is checked either way.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            // A bucket that does not answer fails a task or a request within this, rather than holding a worker slot.
            Timeout = TimeSpan.FromSeconds(30),
            MaxErrorRetry = 2,
        };
        if (options.Region is { Length: > 0 } region)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        if (options.Endpoint is { } endpoint)
        {
            // ServiceURL replaces the region's endpoint; the region still goes into every signature.
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = options.Region is { Length: > 0 } signing ? signing : "us-east-1";
        }
        return string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }
}
