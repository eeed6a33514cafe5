using System.Text.Json.Nodes;

namespace Easel.Server.Tests.Infrastructure;

public static class TestBodies
{
    /// <summary>
    /// Sets the value at a path such as "model_params.mask.areas[0].points" (raw JSON text, so 1e400 or an escaped
    /// lone surrogate reach the server exactly as written), creating missing objects on the way.
    /// </summary>
    public static string WithRaw(string json, string path, string rawValue)
    {
        const string marker = "__raw_value_marker__";
        var root = JsonNode.Parse(json)!.AsObject();
        Set(root, path, JsonValue.Create(marker));
        return root.ToJsonString().Replace($"\"{marker}\"", rawValue, StringComparison.Ordinal);
    }

    /// <summary>Sets the value at a path (JSON null when value is null), creating missing objects on the way.</summary>
    public static void Set(JsonObject root, string path, JsonNode? value) => Apply(root, path, value, remove: false);

    /// <summary>Removes the property (or array item) at a path.</summary>
    public static void Remove(JsonObject root, string path) => Apply(root, path, null, remove: true);

    private static void Apply(JsonObject root, string path, JsonNode? value, bool remove)
    {
        JsonNode current = root;
        var segments = path.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            var (name, index) = Segment(segments[i]);
            var last = i == segments.Length - 1;
            var o = current.AsObject();
            if (index is null && last)
            {
                if (remove)
                {
                    o.Remove(name);
                }
                else
                {
                    o[name] = value;
                }
                return;
            }
            if (o[name] is null)
            {
                o[name] = index is null ? new JsonObject() : new JsonArray();
            }
            current = o[name]!;
            if (index is int at)
            {
                var array = current.AsArray();
                if (last)
                {
                    if (remove)
                    {
                        array.RemoveAt(at);
                    }
                    else
                    {
                        array[at] = value;
                    }
                    return;
                }
                current = array[at]!;
            }
        }
    }

    private static (string Name, int? Index) Segment(string segment)
    {
        var bracket = segment.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0
            ? (segment, null)
            : (segment[..bracket], int.Parse(segment[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A JSON string literal of this many copies of a text (a character or an emoji).</summary>
    public static JsonValue Repeat(string text, int count) => JsonValue.Create(string.Concat(Enumerable.Repeat(text, count)));

    /// <summary>An absolute URL of exactly this many characters.</summary>
    public static string UrlOfLength(string prefix, int length) => prefix + new string('a', length - prefix.Length);
}

/// <summary>A request body sent without a Content-Length (chunked), so a size limit must be enforced while reading.</summary>
public sealed class UnsizedContent(string text) : HttpContent
{
    private readonly byte[] _bytes = System.Text.Encoding.UTF8.GetBytes(text);

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}

public static class HttpBodies
{
    /// <summary>POSTs a body without a declared length and reads the JSON object answered.</summary>
    public static async Task<(int Status, JsonObject Body)> PostUnsizedAsync(this HttpClient client, string path, string body)
    {
        using var content = new UnsizedContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonNode.Parse(text)!.AsObject());
    }

    /// <summary>A JSON body of exactly this many UTF-8 bytes: the template with "__fill__" replaced by as many 'a's as needed.</summary>
    public static string OfExactSize(string template, int bytes)
    {
        var overhead = System.Text.Encoding.UTF8.GetByteCount(template) - "__fill__".Length;
        return template.Replace("__fill__", new string('a', bytes - overhead), StringComparison.Ordinal);
    }
}
