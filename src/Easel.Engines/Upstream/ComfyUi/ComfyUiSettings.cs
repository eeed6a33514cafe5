using System.Globalization;
using Easel.Core.Engines;
using Easel.Core.Models;
using Easel.Core.Operations;
using Easel.Engines.Upstream.SdWebui;
using static Easel.Engines.Upstream.OptionValues;

namespace Easel.Engines.Upstream.ComfyUi;

/// <summary>
/// A comfyui engine's configuration (README "The comfyui engine"): its workflows, one file per operation
/// (Easel:Engines:&lt;name&gt;:Workflows:&lt;operation&gt;; a relative path is taken from the working directory, which is
/// where Easel reads appsettings.json from), read and checked at start; and its Options: NegativePrompt, Width and
/// Height of imagine (default 1024x1024), OutputNodes (the node ids whose images are the results; default every output
/// node's), and the denoising strengths of the image operations, named and defaulted as the sd-webui engine's.
/// </summary>
public sealed record ComfyUiSettings(
    IReadOnlyDictionary<OperationKind, ComfyWorkflow> Workflows,
    string NegativePrompt,
    int Width,
    int Height,
    IReadOnlySet<string>? OutputNodes,
    IReadOnlyDictionary<string, decimal> Denoising,
    bool ResubmitsAfterCrash)
{
    /// <summary>What the engine serves: the capabilities of the operations it has workflows for.</summary>
    public IReadOnlySet<EngineCapability> Capabilities =>
        Workflows.Keys.SelectMany(k => ModelCatalog.Of(k).Capabilities).ToHashSet();

    /// <summary>Reads the workflows and options; each problem names the option or file and says what to write.</summary>
    public static ComfyUiSettings Read(IReadOnlyDictionary<string, string>? workflows, IReadOnlyDictionary<string, string> options, bool resubmits,
        Action<string> problem, string? directory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(problem);
        var read = new Dictionary<OperationKind, ComfyWorkflow>();
        if (workflows is null || workflows.Count == 0)
        {
            problem("Workflows is missing: a comfyui engine serves the operations it has workflow files for, e.g. Workflows:imagine = workflows/txt2img.json");
        }
        foreach (var (operation, path) in workflows ?? new Dictionary<string, string>())
        {
            var entry = ModelCatalog.All.FirstOrDefault(m => string.Equals(m.Operation, operation.Trim(), StringComparison.OrdinalIgnoreCase));
            if (entry is null)
            {
                problem($"Workflows names '{operation}', which is not an operation; they are {string.Join(", ", ModelCatalog.All.Select(m => m.Operation))}");
                continue;
            }
            if (ReadFile(entry.Operation, path, directory, problem) is { } workflow && Fits(entry.Kind, workflow, problem))
            {
                read[entry.Kind] = workflow;
            }
        }

        var negative = options.GetValueOrDefault("NegativePrompt", "");
        if (negative.Length > 4000)
        {
            problem("Options:NegativePrompt is over 4000 characters");
        }
        var width = Integer(options, "Width", 1024, 64, 4096, problem);
        var height = Integer(options, "Height", 1024, 64, 4096, problem);
        if (width % 8 != 0 || height % 8 != 0)
        {
            problem($"Options:Width and Options:Height are {width}x{height}; Stable Diffusion's latents are an eighth of the pixels, so they are multiples of 8, e.g. 1024x1024");
        }
        HashSet<string>? outputs = null;
        if (options.TryGetValue("OutputNodes", out var outputText))
        {
            outputs = outputText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            if (outputs.Count == 0)
            {
                problem("Options:OutputNodes is empty; it is the ids of the nodes whose images are the results, e.g. 9 or 9,12");
            }
            foreach (var (kind, workflow) in read)
            {
                if (!workflow.NodeIds.Any(outputs.Contains))
                {
                    problem($"the workflow of {ModelCatalog.Of(kind).Operation} ({workflow.Path}) has none of the nodes Options:OutputNodes names ({outputText})");
                }
            }
        }
        var denoising = SdWebuiSettings.DefaultDenoising.ToDictionary(d => d.Key, d => Number(options, d.Key, d.Value, problem), StringComparer.Ordinal);
        return new ComfyUiSettings(read, negative, width, height, outputs, denoising, resubmits);
    }

    private static ComfyWorkflow? ReadFile(string operation, string path, string? directory, Action<string> problem)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            problem($"Workflows:{operation} is empty; it is the path of a workflow file in ComfyUI's API format");
            return null;
        }
        var full = System.IO.Path.GetFullPath(path.Trim(), directory ?? Environment.CurrentDirectory);
        var where = $"the workflow of {operation} ({full})";
        string text;
        try
        {
            var info = new FileInfo(full);
            if (!info.Exists)
            {
                problem($"{where} does not exist (a relative path is taken from the working directory, {directory ?? Environment.CurrentDirectory})");
                return null;
            }
            if (info.Length > ComfyWorkflow.MaxFileBytes)
            {
                problem($"{where} is {info.Length} bytes, over the limit of {ComfyWorkflow.MaxFileBytes}");
                return null;
            }
            text = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem($"{where} cannot be read: {e.Message}");
            return null;
        }
        return ComfyWorkflow.Parse(full, text, p => problem($"{where} {p}"));
    }

    /// <summary>Whether the graph takes what the operation has to give: the prompt of imagine, the source and the mask of the image operations.</summary>
    private static bool Fits(OperationKind kind, ComfyWorkflow workflow, Action<string> problem)
    {
        var operation = ModelCatalog.Of(kind).Operation;
        var where = $"the workflow of {operation} ({workflow.Path})";
        var fits = true;
        void Problem(string text)
        {
            fits = false;
            problem($"{where} {text}");
        }
        var image = workflow.Uses(ComfyWorkflow.Image) || workflow.Uses(ComfyWorkflow.MaskedImage);
        var mask = workflow.Uses(ComfyWorkflow.Mask) || workflow.Uses(ComfyWorkflow.MaskedImage);
        if (kind == OperationKind.Imagine)
        {
            if (!workflow.Uses(ComfyWorkflow.Prompt))
            {
                Problem($"has no {Placeholder(ComfyWorkflow.Prompt)}: imagine's prompt would never reach it");
            }
            if (image || mask)
            {
                Problem("uses an image or mask placeholder, but imagine has no source image");
            }
            return fits;
        }
        if (!image)
        {
            Problem($"has neither {Placeholder(ComfyWorkflow.Image)} nor {Placeholder(ComfyWorkflow.MaskedImage)}: {operation} works on a source image, which would never reach it");
        }
        if (Canvas.RepaintCanvas.Masks(kind) && !mask)
        {
            Problem($"has neither {Placeholder(ComfyWorkflow.Mask)} (white repaints, for LoadImageMask) nor {Placeholder(ComfyWorkflow.MaskedImage)} "
                + $"(transparent repaints, for LoadImage): {operation} repaints an area, which would never reach it");
        }
        if (!Canvas.RepaintCanvas.Masks(kind) && mask)
        {
            Problem($"uses a mask placeholder, but {operation} has no mask");
        }
        return fits;
    }

    private static string Placeholder(string name) => ComfyWorkflow.Prefix + name + ComfyWorkflow.Suffix;
}
