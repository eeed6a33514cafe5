using Easel.Cli.Http;

namespace Easel.Cli.Tasks;

/// <summary>
/// Saves a completed task's images as 1..4 in its folder, each with the extension of what was served.
/// Result URLs are public and may point elsewhere (a CDN in front of PublicBaseUrl): the key is never sent to them.
/// </summary>
internal static class ResultDownloader
{
    public static async Task<IReadOnlyList<string>> SaveAsync(IReadOnlyList<string> urls, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(100) };
        var saved = new List<string>(urls.Count);
        for (var i = 0; i < urls.Count; i++)
        {
            using var response = await http.GetAsync(new Uri(urls[i]), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                throw EaselApiException.From(response.StatusCode, $"{urls[i]}: {body}");
            }
            var path = Path.Combine(directory, (i + 1) + ExtensionOf(response.Content.Headers.ContentType?.MediaType, urls[i]));
            await using (var file = File.Create(path))
            {
                await response.Content.CopyToAsync(file, cancellationToken);
            }
            saved.Add(path);
        }
        return saved;
    }

    private static string ExtensionOf(string? mediaType, string url) => mediaType switch
    {
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/webp" => ".webp",
        _ => Path.GetExtension(new Uri(url).AbsolutePath) is { Length: > 1 and <= 5 } extension ? extension.ToLowerInvariant() : ".bin",
    };
}
