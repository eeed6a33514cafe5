namespace Easel.Storage.Blobs;

/// <summary>Easel:Blobs: where uploads and results live (API.md section 12).</summary>
public sealed class BlobOptions
{
    public const string FilesProvider = "files";
    public const string S3Provider = "s3";

    /// <summary>"files" (the default: under the data directory) or "s3" (an S3-compatible bucket; several nodes need no shared volume).</summary>
    public string Provider { get; set; } = FilesProvider;

    public S3BlobOptions S3 { get; set; } = new();

    public bool UsesS3 => string.Equals(Provider, S3Provider, StringComparison.OrdinalIgnoreCase);

    /// <summary>Null when the settings are usable; otherwise what is wrong, in words an operator can act on.</summary>
    public string? Problem() => Provider.ToLowerInvariant() switch
    {
        FilesProvider => null,
        S3Provider => S3.Problem(),
        _ => $"Easel:Blobs:Provider is '{Provider}'; it must be '{FilesProvider}' or '{S3Provider}'.",
    };
}
