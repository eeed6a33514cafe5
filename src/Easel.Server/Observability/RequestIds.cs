using System.Security.Cryptography;

namespace Easel.Server.Observability;

/// <summary>
/// The request id: the caller's X-Request-Id when it is well-formed (1-64 of letters, digits, '-', '_', '.', ':'),
/// so a client or proxy can follow its own id through our logs; otherwise a new one. The bound and the charset
/// keep a hostile header from forging log lines or flooding storage.
/// </summary>
internal static class RequestIds
{
    public const string Header = "X-Request-Id";
    public const int MaxLength = 64;
    private const string ItemKey = "easel.request-id";

    public static string Accept(string? incoming) => IsWellFormed(incoming) ? incoming! : New();

    public static bool IsWellFormed(string? id) =>
        id is { Length: > 0 and <= MaxLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');

    /// <summary>"req_" and 24 hex digits: 96 random bits, unique without coordination between nodes.</summary>
    public static string New() => "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public static void Set(HttpContext http, string id) => http.Items[ItemKey] = id;

    /// <summary>This request's id (set by the request telemetry middleware, which runs first).</summary>
    public static string? RequestId(this HttpContext http) => http.Items[ItemKey] as string;
}
