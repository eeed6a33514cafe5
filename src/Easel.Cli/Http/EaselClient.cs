using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Easel.Cli.Http;

/// <summary>
/// Easel's public HTTP API as the command line sees it: JSON in, the answer's raw text out (printed as is by
/// --json), a non-2xx answer thrown as <see cref="EaselApiException"/> with the server's unified error.
/// </summary>
internal sealed class EaselClient : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _http;

    public EaselClient(Uri baseUrl, string? key, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        // A base URL without a trailing slash would drop its last segment when relative paths are resolved.
        var root = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.BaseAddress = root;
        _http.Timeout = TimeSpan.FromSeconds(100);
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("easel-cli", typeof(EaselClient).Assembly.GetName().Version?.ToString(3) ?? "0"));
        if (key is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
    }

    public Uri BaseUrl => _http.BaseAddress!;

    public Task<ApiAnswer> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<ApiAnswer> PostAsync(string path, JsonObject? body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, body ?? [], cancellationToken);

    /// <summary>A POST with extra headers (an Idempotency-Key).</summary>
    public Task<ApiAnswer> PostAsync(string path, JsonObject body, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, body, cancellationToken, headers);

    /// <summary>A local file sent as multipart/form-data in the field "file", as POST /v1/files expects.</summary>
    public async Task<ApiAnswer> UploadAsync(string path, string filePath, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(filePath);
        using var form = new MultipartFormDataContent();
        using var content = new StreamContent(file);
        // The server identifies the image by its bytes; the type only has to be a plausible one.
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, "file", Path.GetFileName(filePath));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path.TrimStart('/'), UriKind.Relative)) { Content = form };
        return await ReadAsync(request, cancellationToken);
    }

    public Task<ApiAnswer> PatchAsync(string path, JsonObject body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Patch, path, body, cancellationToken);

    /// <summary>
    /// A Server-Sent Events stream (GET, Accept: text/event-stream), event by event until the server ends it. A non-2xx
    /// answer throws <see cref="EaselApiException"/> before the first event, as any other call.
    /// </summary>
    public async IAsyncEnumerable<System.Net.ServerSentEvents.SseItem<string>> EventsAsync(string path,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path.TrimStart('/'), UriKind.Relative));
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw EaselApiException.From(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken), response.Headers.RetryAfter?.Delta);
        }
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in System.Net.ServerSentEvents.SseParser.Create(stream).EnumerateAsync(cancellationToken))
        {
            yield return item;
        }
    }

    /// <summary>A path segment from user input, escaped so an id can never reach another route.</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);

    private async Task<ApiAnswer> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path.TrimStart('/'), UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = JsonType;
        }
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }
        return await ReadAsync(request, cancellationToken);
    }

    private async Task<ApiAnswer> ReadAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw EaselApiException.From(response.StatusCode, text, response.Headers.RetryAfter?.Delta);
        }
        return new ApiAnswer(text);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A successful answer: its text exactly as the server sent it, and a typed reading of it.</summary>
internal sealed record ApiAnswer(string Raw)
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public T Read<T>()
    {
        try
        {
            return JsonSerializer.Deserialize<T>(Raw, Options)
                ?? throw new EaselApiException(null, "bad_response", "The server answered null where an object was expected");
        }
        catch (JsonException e)
        {
            throw new EaselApiException(null, "bad_response", $"The server's answer is not the JSON this command expects: {e.Message}");
        }
    }
}
