using System.Text.Json;

namespace Easel.Server.Http;

internal enum BodyProblem { None, TooLarge, Malformed, NotAnObject }

/// <summary>A parsed body and the SHA-256 of its bytes (what an Idempotency-Key is compared by).</summary>
internal sealed record JsonRequest(JsonDocument Document, byte[] Sha256) : IDisposable
{
    public JsonElement Root => Document.RootElement;

    public void Dispose() => Document.Dispose();
}

/// <summary>
/// Reads a JSON request body with its size checked first (the declared length before a byte is read, the
/// real length while reading), so a large body costs nothing to refuse.
/// </summary>
internal static class JsonBody
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32, CommentHandling = JsonCommentHandling.Disallow };

    public static async Task<(JsonRequest? Body, BodyProblem Problem, string? Message)> ReadObjectAsync(HttpRequest request, int maxBytes)
    {
        if (request.ContentLength is long declared && declared > maxBytes)
        {
            return (null, BodyProblem.TooLarge, $"The request body is {declared} bytes; the limit is {maxBytes} bytes");
        }
        var buffer = new byte[Math.Min(maxBytes + 1, (int)(request.ContentLength ?? 16 * 1024) + 1)];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length > maxBytes)
                {
                    return (null, BodyProblem.TooLarge, $"The request body is over the limit of {maxBytes} bytes");
                }
                Array.Resize(ref buffer, Math.Min(maxBytes + 1, buffer.Length * 2));
            }
            var read = await request.Body.ReadAsync(buffer.AsMemory(length), request.HttpContext.RequestAborted);
            if (read == 0)
            {
                break;
            }
            length += read;
        }
        if (length > maxBytes)
        {
            return (null, BodyProblem.TooLarge, $"The request body is over the limit of {maxBytes} bytes");
        }
        try
        {
            var document = JsonDocument.Parse(buffer.AsMemory(0, length), Options);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                return (null, BodyProblem.NotAnObject, "The request body must be a JSON object");
            }
            if (!HasOnlyValidStrings(document.RootElement))
            {
                document.Dispose();
                return (null, BodyProblem.Malformed, "The request body holds a string with an unpaired surrogate escape (such as \\ud800), which is not text");
            }
            return (new JsonRequest(document, System.Security.Cryptography.SHA256.HashData(buffer.AsSpan(0, length))), BodyProblem.None, null);
        }
        catch (JsonException e)
        {
            return (null, BodyProblem.Malformed, $"The request body is not valid JSON: {e.Message}");
        }
    }

    // The parser accepts escaped lone surrogates ("\ud800") and only fails when the string is read; checking every
    // string once here means no field reader anywhere can meet one.
    private static bool HasOnlyValidStrings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return IsReadable(element);
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (!HasOnlyValidStrings(item))
                    {
                        return false;
                    }
                }
                return true;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!IsReadableName(property) || !HasOnlyValidStrings(property.Value))
                    {
                        return false;
                    }
                }
                return true;
            default:
                return true;
        }
    }

    private static bool IsReadable(JsonElement element)
    {
        try
        {
            _ = element.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool IsReadableName(JsonProperty property)
    {
        try
        {
            _ = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>A property of an object, or null when absent; the rules treat JSON null as absent too.</summary>
    public static JsonElement? Property(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : null;
}
