using System.Text.Json;
using Easel.Core.Outbound;

namespace Easel.Engines.Upstream;

/// <summary>
/// One upstream's HTTP side, shared by the protocols: its base URL, its credential header, requests through the
/// guarded client (the base URL's host is allowed for it, nothing else), and answers read as JSON with limits. An
/// upstream's answer is input like a client's: a body that is not the JSON object expected is a fault of the answer,
/// never an exception that escapes.
/// </summary>
public sealed class UpstreamHttp(IOutboundClient outbound, Uri baseUrl, IReadOnlyDictionary<string, string> credentials, TimeSpan requestTimeout)
{
    private static readonly JsonDocumentOptions ReadOptions = new() { MaxDepth = 32 };

    public Uri BaseUrl { get; } = baseUrl;

    /// <summary>Whether requests carry a credential (then a result on the upstream is fetched with it, not as a public URL).</summary>
    public bool HasCredentials => credentials.Count > 0;

    /// <param name="maxResponseBytes">The most of the answer read, when it may be larger than an API's usual JSON (ComfyUI's
    /// queue carries every waiting graph; its /view answers an image).</param>
    public Task<OutboundResponse> SendAsync(HttpMethod method, string path, string? json, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? headers = null, int? maxResponseBytes = null)
    {
        var all = new Dictionary<string, string>(credentials, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            all[name] = value;
        }
        all.TryAdd("Accept", "application/json");
        var request = new OutboundRequest(method, new Uri(BaseUrl, path.TrimStart('/'))) { JsonBody = json, Headers = all, Timeout = requestTimeout };
        return outbound.SendAsync(maxResponseBytes is { } most ? request with { MaxResponseBytes = most } : request, cancellationToken);
    }

    /// <summary>
    /// A POST with the credential whose body and limits the caller sets (a multipart form; a synchronous call that lasts
    /// as long as the render and answers with the images themselves).
    /// </summary>
    public Task<OutboundResponse> PostAsync(string path, Func<OutboundRequest, OutboundRequest> shape, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var all = new Dictionary<string, string>(credentials, StringComparer.OrdinalIgnoreCase) { ["Accept"] = "application/json" };
        return outbound.SendAsync(shape(new OutboundRequest(HttpMethod.Post, new Uri(BaseUrl, path.TrimStart('/'))) { Headers = all, Timeout = requestTimeout }),
            cancellationToken);
    }

    /// <summary>
    /// A poll: GET of a job's state. Either the answer's JSON object (the caller reads the protocol's states from it), or
    /// the <see cref="PollAnswer"/> the answer already is: no connection or a timeout, a 404 (the job is lost), another
    /// status or a body that is not a JSON object (poll again). The caller disposes the document.
    /// </summary>
    public async Task<(JsonDocument? Json, PollAnswer? Answer)> PollAsync(string path, string upstreamId, CancellationToken cancellationToken, bool emptyIsLost = false)
    {
        OutboundResponse response;
        try
        {
            response = await SendAsync(HttpMethod.Get, path, null, cancellationToken);
        }
        catch (OutboundException e)
        {
            return (null, new PollAnswer.Unreachable(e.Message));
        }
        // emptyIsLost: an upstream that answers an unknown id with no task at all (204, or 200 with an empty body or null).
        if (response.Status == 404
            || (emptyIsLost && (response.Status == 204 || (response.IsSuccess && NoTask(response.Body)))))
        {
            return (null, new PollAnswer.Lost($"the upstream does not know task {upstreamId}"));
        }
        var json = ObjectOf(response);
        if (!response.IsSuccess || json is null)
        {
            json?.Dispose();
            return (null, new PollAnswer.Unreachable(Excerpt(response)));
        }
        return (json, null);
    }

    // Blank or a JSON null, read in place: a poll's body is otherwise a task of kilobytes, never decoded to a string for this.
    private static bool NoTask(byte[] body)
    {
        var text = body.AsSpan().Trim(" \t\r\n"u8);
        return text.IsEmpty || text.SequenceEqual("null"u8);
    }

    /// <summary>The answer's JSON object, or null when the body is not one (empty, HTML of a proxy, truncated).</summary>
    public static JsonDocument? ObjectOf(OutboundResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Body.Length == 0)
        {
            return null;
        }
        try
        {
            var document = JsonDocument.Parse(response.Body, ReadOptions);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }
            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            // Not JSON: the caller reports the answer as malformed, with its status.
            return null;
        }
    }

    /// <summary>A short, printable excerpt of an answer for messages and logs (never the whole body).</summary>
    /// <summary>An upstream's text as a task's message or a log line quotes it: at most 500 characters.</summary>
    public static string Trim(string text) => text.Length <= 500 ? text : text[..500] + "...";

    public static string Excerpt(OutboundResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = System.Text.Encoding.UTF8.GetString(response.Body, 0, Math.Min(response.Body.Length, 200));
        var printable = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        return printable.Length == 0 ? $"HTTP {response.Status} with an empty body" : $"HTTP {response.Status}: {printable}";
    }
}

/// <summary>Reading an upstream's JSON without trusting its shape: each getter gives null for a missing or mistyped field.</summary>
internal static class JsonFields
{
    public static string? String(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;

    public static JsonElement? Object(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value : null;

    public static JsonElement? Array(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value : null;

    public static decimal? Number(this JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value))
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetDecimal(out var d) => d,
            // Classic usage.cost is a decimal string.
            JsonValueKind.String when decimal.TryParse(value.GetString(), System.Globalization.NumberStyles.Number,
                System.Globalization.CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        };
    }

    /// <summary>An upstream job id Easel can store and put in a URL path: 1-200 printable characters without '/', '?' or '#'.</summary>
    public static bool IsJobId(string? id) =>
        id is { Length: > 0 and <= 200 } && id.All(c => c > ' ' && c < 127 && c is not ('/' or '?' or '#' or '%' or '\\'));

    /// <summary>An absolute http(s) URL of a result, or null.</summary>
    public static Uri? ResultUrl(string? text) =>
        text is { Length: > 0 and <= 4096 } && Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url : null;
}
