using System.Net;
using System.Text.Json;

namespace Easel.Cli.Http;

/// <summary>
/// The server refused (or answered something unreadable): its status and its unified error
/// <c>{"error":{"code","message","type","param"}}</c>. A null status means the answer itself was unusable.
/// </summary>
internal sealed class EaselApiException(HttpStatusCode? status, string code, string message, string? param = null) : Exception(message)
{
    public HttpStatusCode? Status { get; } = status;

    public string Code { get; } = code;

    public string? Param { get; } = param;

    /// <summary>The server's error; a 429's Retry-After is added to the message, since a script's next step depends on it.</summary>
    public static EaselApiException From(HttpStatusCode status, string body, TimeSpan? retryAfter = null)
    {
        var error = Parse(status, body);
        return retryAfter is { } wait
            ? new EaselApiException(status, error.Code, $"{error.Message} (retry after {Math.Ceiling(wait.TotalSeconds):0} s)", error.Param)
            : error;
    }

    private static EaselApiException Parse(HttpStatusCode status, string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                return new EaselApiException(status, StringOf(error, "code") ?? "error",
                    StringOf(error, "message") ?? $"HTTP {(int)status}", StringOf(error, "param"));
            }
        }
        catch (JsonException)
        {
            // Not our error shape (a proxy's page, an empty body): fall through to the status alone.
        }
        var text = body.Trim();
        return new EaselApiException(status, "http_" + (int)status,
            $"HTTP {(int)status} {status}{(text.Length is > 0 and <= 300 ? ": " + text : "")}");
    }

    private static string? StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
