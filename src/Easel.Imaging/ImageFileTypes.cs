namespace Easel.Imaging;

/// <summary>The file extension and media type of each format Easel stores: one table for uploads, results and downloads.</summary>
public static class ImageFileTypes
{
    private static readonly (ImageFormat Format, string Extension, string ContentType)[] Table =
    [
        (ImageFormat.Png, "png", "image/png"),
        (ImageFormat.Jpeg, "jpg", "image/jpeg"),
        (ImageFormat.WebP, "webp", "image/webp"),
        (ImageFormat.Gif, "gif", "image/gif"),
        (ImageFormat.Avif, "avif", "image/avif"),
        (ImageFormat.Tiff, "tif", "image/tiff"),
    ];

    /// <summary>Formats Easel decodes, so accepts as uploads and source images.</summary>
    public static IReadOnlyList<ImageFormat> Decodable { get; } = [.. Table.Select(t => t.Format)];

    /// <summary>Every extension of the table, without the dot.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [.. Table.Select(t => t.Extension)];

    /// <summary>The extension (no dot) and media type of <paramref name="format"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A format Easel does not store.</exception>
    public static (string Extension, string ContentType) Of(ImageFormat format)
    {
        foreach (var row in Table)
        {
            if (row.Format == format)
            {
                return (row.Extension, row.ContentType);
            }
        }

        throw new ArgumentOutOfRangeException(nameof(format), format, "Easel does not store this format.");
    }

    /// <summary>The media type of a stored file's extension (no dot), or null.</summary>
    public static string? ContentTypeOfExtension(string extension)
    {
        foreach (var row in Table)
        {
            if (string.Equals(row.Extension, extension, StringComparison.Ordinal))
            {
                return row.ContentType;
            }
        }

        return null;
    }
}
