namespace Easel.Core.Blobs;

/// <summary>Where uploads and results live. Keys are unguessable names; knowing one is the right to read it.</summary>
public interface IBlobStore
{
    Task<string> SaveAsync(ReadOnlyMemory<byte> content, string extension, CancellationToken cancellationToken);

    /// <summary>The bytes, or null when there is no such blob (or the key is not one of ours).</summary>
    Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>A stream for serving, or null.</summary>
    Stream? OpenRead(string key);

    Task DeleteAsync(string key, CancellationToken cancellationToken);
}
