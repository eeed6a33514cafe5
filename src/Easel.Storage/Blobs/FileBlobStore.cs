using System.Security.Cryptography;
using Easel.Core.Blobs;

namespace Easel.Storage.Blobs;

/// <summary>
/// Blobs as files: key "ab/<32 random hex>.png" under the root. 128 random bits make a key unguessable; the
/// two-character folder keeps any one directory small. Writes go to a temp file and are renamed into place,
/// so a reader never sees half a file, even after a crash.
/// </summary>
public sealed class FileBlobStore : IBlobStore
{
    // The extensions of Easel.Imaging's ImageFileTypes (Storage does not reference Imaging; a server test holds the two
    // lists equal).
    internal static readonly string[] Extensions = ["png", "jpg", "webp", "gif", "avif", "tif"];
    private static readonly System.Buffers.SearchValues<char> Hex = System.Buffers.SearchValues.Create("0123456789abcdef");
    private readonly string _root;

    public FileBlobStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public async Task<string> SaveAsync(ReadOnlyMemory<byte> content, string extension, CancellationToken cancellationToken)
    {
        if (!Extensions.Contains(extension))
        {
            throw new ArgumentException($"unsupported blob extension {extension}", nameof(extension));
        }
        var name = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var key = $"{name[..2]}/{name}.{extension}";
        var path = PathOf(key)!;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
        {
            await file.WriteAsync(content, cancellationToken);
            await file.FlushAsync(cancellationToken);
        }
        File.Move(temp, path);
        return key;
    }

    public async Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        if (path is null || !File.Exists(path))
        {
            return null;
        }
        return await File.ReadAllBytesAsync(path, cancellationToken);
    }

    public Stream? OpenRead(string key)
    {
        var path = PathOf(key);
        return path is not null && File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true)
            : null;
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
        if (path is not null)
        {
            File.Delete(path);
        }
        return Task.CompletedTask;
    }

    /// <summary>Only keys of the exact shape we issue map to a path: nothing a client sends can walk the tree.</summary>
    public static bool IsValidKey(string key)
    {
        // ab/<32 hex>.<ext>
        if (key.Length < 3 + 32 + 4 || key[2] != '/' || key[35] != '.')
        {
            return false;
        }
        var name = key.AsSpan(3, 32);
        return key.AsSpan(0, 2).SequenceEqual(name[..2])
            && name.IndexOfAnyExcept(Hex) < 0
            && Extensions.Contains(key[36..]);
    }

    private string? PathOf(string key) => IsValidKey(key) ? Path.Combine(_root, key[..2], key[3..]) : null;
}
