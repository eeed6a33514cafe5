using System.Text.Json;
using System.Text.Json.Nodes;

namespace Easel.Engines.Upstream.ComfyUi;

/// <summary>
/// One operator-supplied workflow in ComfyUI's API format (the graph "Save (API)" writes: an object of nodes by id, each
/// <c>{"class_type": "...", "inputs": {...}}</c>, links as <c>["node id", output index]</c>), read once at start, with the
/// places Easel fills. A place is a whole JSON string value <c>"{{easel:NAME}}"</c>, replaced by a typed value: a
/// string for the prompts and file names, a number for seed, width, height, batch_size and denoise. Because the whole
/// value must be the placeholder, no real node value (a prompt that happens to mention braces, a file name) can be
/// mistaken for one; a string that starts with <c>{{easel:</c> but is not one of <see cref="Names"/> stops the start.
/// </summary>
public sealed class ComfyWorkflow
{
    public const string Prefix = "{{easel:";
    public const string Suffix = "}}";

    /// <summary>The largest workflow file read: a real API-format graph is a few kilobytes.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    public const string Prompt = "prompt";
    public const string NegativePrompt = "negative_prompt";
    public const string Seed = "seed";
    public const string Width = "width";
    public const string Height = "height";
    public const string BatchSize = "batch_size";
    public const string Denoise = "denoise";

    /// <summary>The source image (the composed canvas, or the extended one of outpaint and pan), opaque: for LoadImage's IMAGE.</summary>
    public const string Image = "image";

    /// <summary>The source image with the area to repaint transparent: for LoadImage, whose MASK output is 1 - alpha.</summary>
    public const string MaskedImage = "masked_image";

    /// <summary>The mask alone, opaque, white where ComfyUI repaints: for LoadImageMask with channel red (or green, blue).</summary>
    public const string Mask = "mask";

    public static IReadOnlySet<string> Names { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Prompt, NegativePrompt, Seed, Width, Height, BatchSize, Denoise, Image, MaskedImage, Mask,
    };

    private static readonly JsonDocumentOptions ReadOptions = new() { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip };

    private readonly JsonObject _graph;

    private ComfyWorkflow(string path, JsonObject graph, IReadOnlySet<string> placeholders)
    {
        Path = path;
        _graph = graph;
        Placeholders = placeholders;
    }

    /// <summary>The file it was read from, as resolved (for messages).</summary>
    public string Path { get; }

    /// <summary>The placeholders the graph uses.</summary>
    public IReadOnlySet<string> Placeholders { get; }

    /// <summary>The node ids of the graph.</summary>
    public IEnumerable<string> NodeIds => _graph.Select(n => n.Key);

    public bool Uses(string name) => Placeholders.Contains(name);

    /// <summary>Reads and checks a workflow text; the problems say what is wrong and where (the caller names the engine and file).</summary>
    public static ComfyWorkflow? Parse(string path, string text, Action<string> problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(problem);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: ReadOptions);
        }
        catch (JsonException e)
        {
            problem($"is not JSON ({e.Message})");
            return null;
        }
        if (root is not JsonObject graph || graph.Count == 0)
        {
            problem("is not a workflow in API format: its top level must be an object of nodes by id (export it with \"Save (API)\", not \"Save\")");
            return null;
        }
        if (graph.ContainsKey("nodes") && graph.ContainsKey("links"))
        {
            problem("is a workflow in the editor's format (it has \"nodes\" and \"links\"); export it with \"Save (API)\" instead");
            return null;
        }
        var placeholders = new HashSet<string>(StringComparer.Ordinal);
        var problems = 0;
        void Count(string text)
        {
            problems++;
            problem(text);
        }
        foreach (var (id, node) in graph)
        {
            if (node is not JsonObject fields || fields["class_type"] is not JsonValue classType
                || classType.GetValueKind() != JsonValueKind.String || classType.GetValue<string>().Length == 0)
            {
                Count($"node '{id}' has no class_type (every node is {{\"class_type\": \"...\", \"inputs\": {{...}}}})");
                continue;
            }
            if (fields["inputs"] is not JsonObject inputs)
            {
                Count($"node '{id}' ({classType}) has no inputs object");
                continue;
            }
            foreach (var (input, value) in inputs)
            {
                Scan(value, $"node '{id}' ({classType}) input '{input}'", placeholders, Count);
            }
        }
        return problems > 0 ? null : new ComfyWorkflow(path, graph, placeholders);
    }

    private static void Scan(JsonNode? value, string where, HashSet<string> placeholders, Action<string> problem)
    {
        switch (value)
        {
            case JsonArray array:
                foreach (var item in array)
                {
                    Scan(item, where, placeholders, problem);
                }
                break;
            case JsonObject obj:
                foreach (var (_, item) in obj)
                {
                    Scan(item, where, placeholders, problem);
                }
                break;
            case JsonValue leaf when leaf.GetValueKind() == JsonValueKind.String:
                var text = leaf.GetValue<string>();
                if (!text.Contains(Prefix, StringComparison.Ordinal))
                {
                    return;
                }
                var name = NameOf(text);
                if (name is null)
                {
                    problem($"{where} is '{Shorten(text)}'; a placeholder is the whole value, e.g. \"{Prefix}{Prompt}{Suffix}\"");
                }
                else if (!Names.Contains(name))
                {
                    problem($"{where} names the unknown placeholder '{name}'; the placeholders are {string.Join(", ", Names)}");
                }
                else
                {
                    placeholders.Add(name);
                }
                break;
        }
    }

    private static string? NameOf(string text) =>
        text.StartsWith(Prefix, StringComparison.Ordinal) && text.EndsWith(Suffix, StringComparison.Ordinal) && text.Length > Prefix.Length + Suffix.Length
            && text.IndexOf(Suffix, StringComparison.Ordinal) == text.Length - Suffix.Length
            ? text[Prefix.Length..^Suffix.Length] : null;

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "...";

    /// <summary>A copy of the graph with each placeholder replaced by its value (a placeholder without a value: an error of the caller).</summary>
    public JsonObject Fill(IReadOnlyDictionary<string, JsonNode?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var copy = _graph.DeepClone().AsObject();
        Replace(copy, values);
        return copy;
    }

    private static void Replace(JsonNode node, IReadOnlyDictionary<string, JsonNode?> values)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (obj[key] is JsonValue leaf && Placeholder(leaf) is { } name)
                    {
                        obj[key] = Value(name, values);
                    }
                    else if (obj[key] is { } child)
                    {
                        Replace(child, values);
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue leaf && Placeholder(leaf) is { } name)
                    {
                        array[i] = Value(name, values);
                    }
                    else if (array[i] is { } child)
                    {
                        Replace(child, values);
                    }
                }
                break;
        }
    }

    private static string? Placeholder(JsonValue leaf) =>
        leaf.GetValueKind() == JsonValueKind.String && NameOf(leaf.GetValue<string>()) is { } name && Names.Contains(name) ? name : null;

    private static JsonNode? Value(string name, IReadOnlyDictionary<string, JsonNode?> values) =>
        values.TryGetValue(name, out var value)
            ? value?.DeepClone()
            : throw new InvalidOperationException($"the placeholder {name} has no value for this operation");
}
