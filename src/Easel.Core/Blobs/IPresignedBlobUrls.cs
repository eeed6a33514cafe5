namespace Easel.Core.Blobs;

/// <summary>
/// Present only when the store is a bucket and Easel:Blobs:S3:RedirectToPresigned is set: /files/... then answers
/// with a redirect to a URL the bucket itself serves, signed for a limited time, instead of streaming the bytes.
/// </summary>
public interface IPresignedBlobUrls
{
    /// <summary>A time-limited URL of the blob in the bucket. Made locally (no request to the bucket).</summary>
    Uri PresignedUrlOf(string key);
}
