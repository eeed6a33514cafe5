using System.Security.Cryptography;

namespace Easel.Storage.Blobs;

/// <summary>
/// Easel's blob names, the same in every store: "ab/&lt;32 random hex&gt;.png". 128 random bits make a name
/// unguessable; the two-character folder keeps a directory small (files) and is a plain prefix in a bucket, so a
/// data directory's files/ copies into a bucket under the same keys (easel blobs migrate).
/// </summary>
public static class BlobKeys
{
    // The extensions of Easel.Imaging's ImageFileTypes (Storage does not reference Imaging; a server test holds the
    // two tables equal, content types included).
    internal static readonly string[] Extensions = ["png", "jpg", "webp", "gif", "avif", "tif"];

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        ["png"] = "image/png",
        ["jpg"] = "image/jpeg",
        ["webp"] = "image/webp",
        ["gif"] = "image/gif",
        ["avif"] = "image/avif",
        ["tif"] = "image/tiff",
    };

    private static readonly System.Buffers.SearchValues<char> Hex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>A key is immutable for ever (a new content gets a new name), so any cache may keep it.</summary>
    public const string CacheControl = "public, max-age=31536000, immutable";

    public static string New(string extension)
    {
        if (!Extensions.Contains(extension))
        {
            throw new ArgumentException($"unsupported blob extension {extension}", nameof(extension));
        }
        var name = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        return $"{name[..2]}/{name}.{extension}";
    }

    /// <summary>Only keys of the exact shape we issue are ours: nothing a client sends can walk a tree or name another object.</summary>
    public static bool IsValid(string key)
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

    /// <summary>The content type a key's blob is served with (by its extension).</summary>
    public static string ContentTypeOf(string key) =>
        ContentTypes.TryGetValue(key[(key.LastIndexOf('.') + 1)..], out var type) ? type : "application/octet-stream";

    /// <summary>The ETag /files/... serves: the random name, since a name never changes content (the same in every store).</summary>
    public static string EntityTagOf(string key) => $"\"{key[3..35]}\"";
}
