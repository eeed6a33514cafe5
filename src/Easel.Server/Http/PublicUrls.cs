using Easel.Core.Operations;
using Easel.Server.Hosting;
using Easel.Storage.Blobs;
using Microsoft.Extensions.Options;

namespace Easel.Server.Http;

/// <summary>
/// The URLs Easel hands out for its files, and the way back: a URL of one of our own files becomes a stored
/// reference, read from storage rather than fetched over HTTP (and never through the outbound guard).
/// </summary>
internal sealed class PublicUrls(IOptions<EaselOptions> options)
{
    public const string FilesPath = Core.Blobs.BlobUrls.FilesPath;

    public string BaseUrl(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return options.Value.PublicBaseUrl is { } configured
            ? configured.GetLeftPart(UriPartial.Authority)
            : $"{request.Scheme}://{request.Host.Value}";
    }

    public static string FileUrl(string baseUrl, string blobKey) => Core.Blobs.BlobUrls.FileUrl(baseUrl, blobKey);

    public ImageRef Resolve(Uri url, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(url);
        var ours = new Uri(BaseUrl(request));
        if (url.AbsolutePath.StartsWith(FilesPath, StringComparison.Ordinal)
            && string.Equals(url.Host, ours.Host, StringComparison.OrdinalIgnoreCase)
            && url.Port == ours.Port)
        {
            var key = url.AbsolutePath[FilesPath.Length..];
            if (BlobKeys.IsValid(key))
            {
                return new StoredImage(key);
            }
        }
        return new ExternalImage(url.OriginalString);
    }
}
