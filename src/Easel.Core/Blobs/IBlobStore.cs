namespace Easel.Core.Blobs;

/// <summary>Where uploads and results live. Keys are unguessable names; knowing one is the right to read it.</summary>
/// <remarks>
/// A store that cannot do what is asked (a bucket that refuses a write, or cannot be reached) throws
/// <see cref="BlobStoreException"/>; a save that throws has stored nothing.
/// </remarks>
public interface IBlobStore
{
    Task<string> SaveAsync(ReadOnlyMemory<byte> content, string extension, CancellationToken cancellationToken);

    /// <summary>The bytes, or null when there is no such blob (or the key is not one of ours).</summary>
    Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// A stream for serving, or null. It is seekable and knows its length (a range request reads only its range),
    /// and is read asynchronously.
    /// </summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken);

    Task DeleteAsync(string key, CancellationToken cancellationToken);
}
