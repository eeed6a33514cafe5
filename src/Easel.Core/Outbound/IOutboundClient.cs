namespace Easel.Core.Outbound;

/// <summary>Every request Easel makes to the outside goes through this port (API.md section 7).</summary>
public interface IOutboundClient
{
    /// <summary>GETs the URL within the size and time caps; throws <see cref="OutboundException"/> with a reason a client can read.</summary>
    Task<byte[]> GetBytesAsync(Uri url, CancellationToken cancellationToken);

    /// <summary>
    /// POSTs a JSON body and returns the status code. Redirects are not followed (a receiver that redirects is a
    /// failed delivery); a refused address, no connection or no answer within the timeout throws <see cref="OutboundException"/>.
    /// </summary>
    Task<int> PostJsonAsync(Uri url, string body, IReadOnlyDictionary<string, string> headers, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// An upstream engine's result image: as <see cref="GetBytesAsync"/>, except that the configured engines' own
    /// host:port pairs are reachable (where the results of a private upstream live); any other host is checked as usual.
    /// </summary>
    Task<byte[]> GetUpstreamResultAsync(Uri url, CancellationToken cancellationToken);

    /// <summary>
    /// One request to an upstream engine's API (its host:port allowed, as above): redirects are answered, not followed; the answer's body is read
    /// up to the request's cap (over it: <see cref="OutboundException"/>); no connection or no answer within the
    /// timeout throws <see cref="OutboundException"/>. Any status is returned: the caller reads its meaning.
    /// </summary>
    Task<OutboundResponse> SendAsync(OutboundRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// An API request: a JSON body when <see cref="JsonBody"/> is set, or any other body (a multipart form) as
/// <see cref="Body"/> with its <see cref="ContentType"/>; its own headers, its own limits.
/// </summary>
public sealed record OutboundRequest(HttpMethod Method, Uri Url)
{
    public string? JsonBody { get; init; }

    public ReadOnlyMemory<byte>? Body { get; init; }

    /// <summary>The content type of <see cref="Body"/>, with its parameters (a multipart form's boundary).</summary>
    public string? ContentType { get; init; }

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The most of the answer's body read; an API's JSON answer is small, and a larger one is refused, not read.</summary>
    public int MaxResponseBytes { get; init; } = 1024 * 1024;
}

/// <summary>An answer: its status, the headers a caller may need (lower-case names), and its body.</summary>
public sealed record OutboundResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}

/// <summary>A refused or failed outbound request; the message is safe to show to the client.</summary>
public sealed class OutboundException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>True when the address policy refused the destination (as opposed to a destination that failed).</summary>
    public bool AddressRefused { get; init; }

    /// <summary>True when the destination did not answer within the timeout (it may have received the request).</summary>
    public bool TimedOut { get; init; }
}
