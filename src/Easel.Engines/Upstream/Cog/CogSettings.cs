using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Easel.Core.Engines;
using Easel.Core.Models;
using Easel.Core.Operations;
using Easel.Engines.Upstream.Canvas;
using static Easel.Engines.Upstream.OptionValues;

namespace Easel.Engines.Upstream.Cog;

/// <summary>How a cog engine sends images: as URLs its server downloads, or inline as data: URLs.</summary>
public enum CogImages { Data, Url }

/// <summary>
/// A cog engine's Options (README "The cog engine"). cog models name their inputs freely, so
/// <c>Inputs:&lt;operation&gt;:&lt;field&gt;</c> maps each of Easel's fields to the model's input name, and
/// <c>Fixed:&lt;operation&gt;:&lt;input&gt;</c> adds constant inputs (a number or true/false is sent as one; anything else as
/// a string). The engine serves exactly the operations with an Inputs map (any of the catalog's, by their names in it:
/// imagine, upload-paint, edit, inpaint, remix, variation, upscale, outpaint, pan, enhance, retexture, remove-bg).
/// Also: SendImagesAs (data | url; default data), Width and Height of imagine (default 1024), AspectRatio (default
/// 1:1), NegativePrompt, and the strengths StrengthRemixStrong 0.75, StrengthRemixSubtle 0.45, StrengthVariationStrong
/// 0.6, StrengthVariationSubtle 0.35, StrengthInpaint 0.75 (inpaint, upload-paint, edit), StrengthOutpaint 1 (outpaint,
/// pan), StrengthEnhance 0.35, StrengthRetexture 0.8.
/// </summary>
public sealed record CogSettings(
    IReadOnlyDictionary<OperationKind, IReadOnlyDictionary<string, string>> Inputs,
    IReadOnlyDictionary<OperationKind, JsonObject> Fixed,
    CogImages SendImagesAs,
    int Width,
    int Height,
    string AspectRatio,
    string NegativePrompt,
    IReadOnlyDictionary<string, decimal> Strength)
{
    /// <summary>Easel's fields an Inputs map may name, and what each carries.</summary>
    public static IReadOnlyDictionary<string, string> Fields { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["prompt"] = "the prompt",
        ["negative_prompt"] = "Options:NegativePrompt",
        ["seed"] = "the task's seed (the same on every resubmission)",
        ["width"] = "Options:Width for imagine; for an image operation the width of the image sent (the canvas of upload-paint, edit, outpaint, pan)",
        ["height"] = "Options:Height for imagine; for an image operation the height of the image sent",
        ["aspect_ratio"] = "Options:AspectRatio (imagine)",
        ["image"] = "the source image (a URL or a data: URL; the composed canvas of upload-paint, edit, outpaint and pan as a PNG data: URL)",
        ["mask"] = "the mask as a PNG data: URL of the image's size, white where the model repaints",
        ["strength"] = "how far the result may move from the source (0-1)",
        ["scale"] = "the upscale factor (2 or 4)",
        ["count"] = "the number of images the catalog gives (4, or 1)",
    };

    /// <summary>
    /// The operations a cog engine can serve, by their names in Options:Inputs (the catalog's, as in GET /v1/models),
    /// and the capability each is: every one of the catalog's, each a model of its own (creative upscale, which asks
    /// for invented detail, is not among them: nothing tells a cog upscaler to invent).
    /// </summary>
    public static IReadOnlyDictionary<string, (OperationKind Kind, EngineCapability Capability)> Operations { get; } =
        ModelCatalog.All.ToDictionary(m => m.Operation, m => (m.Kind, m.Capability), StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyDictionary<string, decimal> DefaultStrength { get; } = new Dictionary<string, decimal>(StringComparer.Ordinal)
    {
        ["StrengthRemixStrong"] = 0.75m,
        ["StrengthRemixSubtle"] = 0.45m,
        ["StrengthVariationStrong"] = 0.6m,
        ["StrengthVariationSubtle"] = 0.35m,
        ["StrengthInpaint"] = 0.75m,
        // The new part of outpaint and pan is transparent black with nothing to start from (cog has no A1111 fill):
        // anything under 1 would let the black show through.
        ["StrengthOutpaint"] = 1m,
        ["StrengthEnhance"] = 0.35m,
        ["StrengthRetexture"] = 0.8m,
    };

    public IReadOnlySet<EngineCapability> Capabilities => Operations.Values.Where(o => Inputs.ContainsKey(o.Kind)).Select(o => o.Capability).ToHashSet();

    /// <summary>
    /// Whether an image operation it serves needs the source's pixels, not only its URL: a canvas composed from it, a
    /// mask painted at its size, or its size as width and height.
    /// </summary>
    public bool NeedsSourcePixels(OperationKind kind) => kind != OperationKind.Imagine && Inputs.TryGetValue(kind, out var map)
        && (RepaintCanvas.Masks(kind) || map.ContainsKey("width") || map.ContainsKey("height"));

    public static CogSettings Read(IReadOnlyDictionary<string, string> options, Action<string> problem)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(problem);
        var inputs = new Dictionary<OperationKind, Dictionary<string, string>>();
        var fixedInputs = new Dictionary<OperationKind, JsonObject>();
        foreach (var (key, value) in options)
        {
            var parts = key.Split(':');
            if (parts[0].Equals("Inputs", StringComparison.OrdinalIgnoreCase) || parts[0].Equals("Fixed", StringComparison.OrdinalIgnoreCase))
            {
                var isInputs = parts[0].Equals("Inputs", StringComparison.OrdinalIgnoreCase);
                if (parts.Length != 3)
                {
                    problem($"Options:{key} is not Options:{parts[0]}:<operation>:<{(isInputs ? "field" : "input")}>");
                    continue;
                }
                if (!Operations.TryGetValue(parts[1], out var operation))
                {
                    problem($"Options:{key} names '{parts[1]}', which a cog engine does not serve; it serves {string.Join(", ", Operations.Keys)}");
                    continue;
                }
                if (isInputs)
                {
                    if (!Fields.ContainsKey(parts[2]))
                    {
                        problem($"Options:{key} maps '{parts[2]}', which is not one of Easel's fields; they are {string.Join(", ", Fields.Keys)}");
                    }
                    else if (!IsInputName(value))
                    {
                        problem($"Options:{key} is '{value}'; it is the model's input name (letters, digits and '_', as in its run() arguments)");
                    }
                    else
                    {
                        (inputs.TryGetValue(operation.Kind, out var map) ? map : inputs[operation.Kind] = new(StringComparer.Ordinal))[parts[2]] = value;
                    }
                }
                else if (!IsInputName(parts[2]))
                {
                    problem($"Options:{key} names '{parts[2]}'; an input's name is letters, digits and '_'");
                }
                else
                {
                    (fixedInputs.TryGetValue(operation.Kind, out var values) ? values : fixedInputs[operation.Kind] = [])[parts[2]] = Constant(value);
                }
            }
        }
        if (inputs.Count == 0)
        {
            problem("Options:Inputs is missing: a cog engine serves the operations it maps, e.g. Options:Inputs:imagine:prompt = prompt");
        }
        foreach (var (kind, map) in inputs)
        {
            var name = ModelCatalog.Of(kind).Operation;
            // A prompt the client must give would otherwise be dropped unseen (an inpaint's or variation's is optional).
            Require(map, "prompt", ModelCatalog.Of(kind).FieldOf(RequestField.Prompt) is { Required: true }, name, problem);
            Require(map, "image", kind is not OperationKind.Imagine, name, problem);
            // An inpainting model repaints where the mask says; without it the canvas's new part would never be painted.
            Require(map, "mask", RepaintCanvas.Masks(kind), name, problem);
            if (map.ContainsKey("mask") && !RepaintCanvas.Masks(kind))
            {
                problem($"Options:Inputs:{name}:mask maps a mask, which {name} does not have; the operations with one are "
                    + string.Join(", ", Operations.Where(o => RepaintCanvas.Masks(o.Value.Kind)).Select(o => o.Key)));
            }
            // A model that gives one image where the catalog gives four would fail every task as too few.
            Require(map, "count", ModelCatalog.Of(kind).ImageCount > 1, name, problem);
        }
        var images = options.GetValueOrDefault("SendImagesAs", "data").Trim().ToLowerInvariant();
        if (images is not ("data" or "url"))
        {
            problem($"Options:SendImagesAs is '{images}'; it is data (images inline as data: URLs) or url (URLs the cog server downloads)");
        }
        var width = Integer(options, "Width", 1024, 8, 4096, problem);
        var height = Integer(options, "Height", 1024, 8, 4096, problem);
        var aspect = options.GetValueOrDefault("AspectRatio", "1:1").Trim();
        if (aspect.Length is 0 or > 20)
        {
            problem($"Options:AspectRatio is '{aspect}'; it is the model's own spelling, e.g. 1:1");
        }
        var negative = options.GetValueOrDefault("NegativePrompt", "");
        if (negative.Length > 4000)
        {
            problem("Options:NegativePrompt is over 4000 characters");
        }
        var strength = DefaultStrength.ToDictionary(d => d.Key, d => Number(options, d.Key, d.Value, problem), StringComparer.Ordinal);
        return new CogSettings(
            inputs.ToDictionary(i => i.Key, i => (IReadOnlyDictionary<string, string>)i.Value),
            fixedInputs,
            images == "url" ? CogImages.Url : CogImages.Data, width, height, aspect, negative, strength);
    }

    private static void Require(Dictionary<string, string> map, string field, bool needed, string operation, Action<string> problem)
    {
        if (needed && !map.ContainsKey(field))
        {
            problem($"Options:Inputs:{operation} has no '{field}': map it to the model's input ({Fields[field]})");
        }
    }

    private static bool IsInputName(string name) => name.Length is > 0 and <= 100 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    // cog validates types: "4" is not an integer. A value that reads as a JSON number, true or false is sent as one;
    // to send such a value as a string, write it JSON-quoted ("\"4\"").
    private static JsonNode? Constant(string value)
    {
        var text = value.Trim();
        if (text is "true" or "false" || (text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] is '-' or '"')))
        {
            try
            {
                var node = JsonNode.Parse(text);
                if (node is JsonValue)
                {
                    return node;
                }
            }
            catch (JsonException)
            {
                // Not JSON after all ("4 steps"): the text as it is.
            }
        }
        return JsonValue.Create(value);
    }
}
