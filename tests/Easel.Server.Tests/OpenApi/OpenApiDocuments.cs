using System.Text.Json.Nodes;
using Easel.Server.Tests.Infrastructure;

namespace Easel.Server.Tests.OpenApi;

/// <summary>Fetches the served documents (without a key) and walks them, following local $refs.</summary>
public static class OpenApiDocuments
{
    public static readonly string[] Names = ["unified", "classic"];

    public static async Task<JsonObject> FetchAsync(EaselHost host, string name)
    {
        using var client = host.CreateClient();
        using var response = await client.GetAsync($"/openapi/{name}.json");
        Assert.Equal(200, (int)response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>The node itself, or what its "$ref" ("#/components/schemas/X") points at, followed to the end.</summary>
    public static JsonObject Resolve(JsonObject document, JsonNode? node)
    {
        var current = node as JsonObject ?? throw new InvalidOperationException($"not an object: {node?.ToJsonString()}");
        for (var hops = 0; current["$ref"] is JsonValue reference; hops++)
        {
            Assert.True(hops < 16, "a $ref chain that does not end");
            var pointer = reference.GetValue<string>();
            Assert.StartsWith("#/", pointer);
            JsonNode? target = document;
            foreach (var segment in pointer[2..].Split('/'))
            {
                target = target?[segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
            }
            current = target as JsonObject ?? throw new InvalidOperationException($"{pointer} points at nothing");
        }
        return current;
    }

    /// <summary>Every (path, method, operation) of a document.</summary>
    public static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonObject document) =>
        document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject()
                .Where(m => m.Key is "get" or "put" or "post" or "delete" or "patch" or "head" or "options")
                .Select(m => (p.Key, m.Key, m.Value!.AsObject())));

    /// <summary>The variants of a request body schema: the members of its oneOf/anyOf (recursively), or itself.</summary>
    public static IEnumerable<JsonObject> Variants(JsonObject document, JsonNode? schema)
    {
        var resolved = Resolve(document, schema);
        var members = (resolved["oneOf"] ?? resolved["anyOf"]) as JsonArray;
        if (members is null)
        {
            yield return resolved;
            yield break;
        }
        foreach (var member in members)
        {
            foreach (var variant in Variants(document, member))
            {
                yield return variant;
            }
        }
    }

    /// <summary>The request body variant of one model (its "model" property's enum is exactly that name).</summary>
    public static JsonObject VariantOf(JsonObject document, JsonObject operation, string model) =>
        Variants(document, operation["requestBody"]!["content"]!["application/json"]!["schema"])
            .Single(v => v["properties"]?["model"]?["enum"] is JsonArray names && names.Count == 1 && names[0]!.GetValue<string>() == model);

    public static IReadOnlyList<string> Strings(JsonNode? array) =>
        array is JsonArray items ? items.Select(i => i!.GetValue<string>()).ToList() : [];
}
