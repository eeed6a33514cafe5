using System.Text.Json.Nodes;
using Easel.Core.Engines;
using Easel.Core.Operations;
using Easel.Engines.Upstream;
using Easel.Engines.Upstream.ComfyUi;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// The comfyui engine's workflow files, read at start: the placeholders found and filled with typed values, and each
/// way a file can be wrong stopping the start with the engine, the file and what to write instead.
/// </summary>
public sealed class ComfyWorkflowTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("easel-comfy-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static string Samples
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Easel.slnx")))
            {
                directory = directory.Parent;
            }
            return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("the repository root (Easel.slnx) was not found"), "samples", "comfyui");
        }
    }

    private static ComfyWorkflow Parse(string text)
    {
        var problems = new List<string>();
        var workflow = ComfyWorkflow.Parse("test.json", text, problems.Add);
        Assert.True(workflow is not null, string.Join("\n", problems));
        return workflow;
    }

    private static List<string> ProblemsOf(string text)
    {
        var problems = new List<string>();
        Assert.Null(ComfyWorkflow.Parse("test.json", text, problems.Add));
        return problems;
    }

    [Fact]
    public void The_sample_txt2img_is_filled_with_typed_values_and_its_other_values_are_kept()
    {
        var workflow = Parse(File.ReadAllText(Path.Combine(Samples, "txt2img.json")));
        Assert.Equal(["batch_size", "height", "negative_prompt", "prompt", "seed", "width"], workflow.Placeholders.Order(StringComparer.Ordinal));

        var filled = workflow.Fill(new Dictionary<string, JsonNode?>
        {
            ["prompt"] = "a lighthouse {{easel:seed}}", ["negative_prompt"] = "blurry", ["seed"] = 123456789, ["width"] = 512, ["height"] = 768,
            ["batch_size"] = 4,
        });

        // A value is not read again for placeholders: a prompt that quotes one stays as the client wrote it.
        Assert.Equal("a lighthouse {{easel:seed}}", filled["2"]!["inputs"]!["text"]!.GetValue<string>());
        Assert.Equal(123456789, filled["5"]!["inputs"]!["seed"]!.GetValue<int>());
        Assert.Equal(System.Text.Json.JsonValueKind.Number, filled["4"]!["inputs"]!["width"]!.GetValueKind());
        Assert.Equal((512, 768, 4), (filled["4"]!["inputs"]!["width"]!.GetValue<int>(), filled["4"]!["inputs"]!["height"]!.GetValue<int>(),
            filled["4"]!["inputs"]!["batch_size"]!.GetValue<int>()));
        Assert.Equal("sd_xl_base_1.0.safetensors", filled["1"]!["inputs"]!["ckpt_name"]!.GetValue<string>());
        Assert.Equal("[\"1\",1]", filled["2"]!["inputs"]!["clip"]!.ToJsonString());
        // The workflow itself is unchanged: the next task fills a fresh copy.
        Assert.Equal("{{easel:seed}}", workflow.Fill(new Dictionary<string, JsonNode?>
        {
            ["prompt"] = "x", ["negative_prompt"] = "", ["seed"] = "{{easel:seed}}", ["width"] = 1, ["height"] = 1, ["batch_size"] = 1,
        })["5"]!["inputs"]!["seed"]!.GetValue<string>());
    }

    [Fact]
    public void Filling_a_placeholder_without_a_value_is_an_error_of_the_caller()
    {
        var workflow = Parse("""{"1": {"class_type": "LoadImage", "inputs": {"image": "{{easel:image}}"}}}""");

        Assert.Throws<InvalidOperationException>(() => workflow.Fill(new Dictionary<string, JsonNode?>()));
    }

    [Theory]
    [InlineData("not json", "is not JSON")]
    [InlineData("[1, 2]", "top level must be an object of nodes by id")]
    [InlineData("{}", "top level must be an object of nodes by id")]
    [InlineData("""{"nodes": [], "links": []}""", "editor's format")]
    [InlineData("""{"1": {"inputs": {}}}""", "node '1' has no class_type")]
    [InlineData("""{"1": {"class_type": "KSampler"}}""", "node '1' (KSampler) has no inputs object")]
    [InlineData("""{"1": {"class_type": "CLIPTextEncode", "inputs": {"text": "a {{easel:prompt}} b"}}}""", "a placeholder is the whole value")]
    [InlineData("""{"1": {"class_type": "CLIPTextEncode", "inputs": {"text": "{{easel:style}}"}}}""", "unknown placeholder 'style'")]
    public void A_malformed_workflow_is_refused_with_what_is_wrong(string text, string expected)
    {
        var problems = ProblemsOf(text);

        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private (ComfyUiSettings Settings, List<string> Problems) Read(Dictionary<string, string> workflows, Dictionary<string, string>? options = null)
    {
        var problems = new List<string>();
        var settings = ComfyUiSettings.Read(workflows, options ?? [], resubmits: true, problems.Add, _directory);
        return (settings, problems);
    }

    [Fact]
    public void The_engine_serves_the_operations_it_has_workflows_for_with_relative_paths_from_the_directory()
    {
        File.Copy(Path.Combine(Samples, "txt2img.json"), Path.Combine(_directory, "txt2img.json"));
        File.Copy(Path.Combine(Samples, "inpaint.json"), Path.Combine(_directory, "inpaint.json"));

        var (settings, problems) = Read(new() { ["imagine"] = "txt2img.json", ["Inpaint"] = "inpaint.json" });

        Assert.Empty(problems);
        Assert.Equal([OperationKind.Inpaint, OperationKind.Imagine], settings.Workflows.Keys.Order());
        Assert.Equal([EngineCapability.Inpaint, EngineCapability.Imagine], settings.Capabilities.Order());
    }

    [Fact]
    public void Each_workflow_must_take_what_its_operation_gives()
    {
        var noPrompt = Write("no-prompt.json", """{"1": {"class_type": "SaveImage", "inputs": {"filename_prefix": "x"}}}""");
        var noMask = Write("no-mask.json", File.ReadAllText(Path.Combine(Samples, "img2img.json")));
        var masked = Write("masked.json", File.ReadAllText(Path.Combine(Samples, "inpaint.json")));
        var imagined = Write("imagined.json", File.ReadAllText(Path.Combine(Samples, "inpaint.json")));
        var noImage = Write("no-image.json", File.ReadAllText(Path.Combine(Samples, "txt2img.json")));

        var (_, problems) = Read(new()
        {
            ["imagine"] = noPrompt, ["inpaint"] = noMask, ["remix"] = masked, ["variation"] = noImage, ["outpaint"] = imagined,
        });

        Assert.Contains(problems, p => p.Contains($"the workflow of imagine ({noPrompt}) has no {{{{easel:prompt}}}}", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains($"the workflow of inpaint ({noMask}) has neither {{{{easel:mask}}}}", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains($"the workflow of remix ({masked}) uses a mask placeholder, but remix has no mask", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains($"the workflow of variation ({noImage}) has neither {{{{easel:image}}}} nor {{{{easel:masked_image}}}}", StringComparison.Ordinal));
        Assert.Equal(4, problems.Count);
    }

    [Fact]
    public void Missing_files_unknown_operations_and_bad_options_are_named()
    {
        var sample = Path.Combine(Samples, "txt2img.json");

        var (_, problems) = Read(new() { ["imagine"] = "missing.json", ["paint"] = sample, ["variation"] = "" },
            new() { ["Width"] = "1001", ["OutputNodes"] = "99", ["DenoisingRemixStrong"] = "2" });

        Assert.Contains(problems, p => p.Contains($"the workflow of imagine ({Path.Combine(_directory, "missing.json")}) does not exist", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Workflows names 'paint', which is not an operation", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Workflows:variation is empty", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Options:Width and Options:Height are 1001x1024", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Options:DenoisingRemixStrong is '2'", StringComparison.Ordinal));
        Assert.Equal(5, problems.Count);
    }

    [Fact]
    public void Output_nodes_must_be_in_each_workflow()
    {
        var (_, problems) = Read(new() { ["imagine"] = Path.Combine(Samples, "txt2img.json") }, new() { ["OutputNodes"] = "99" });

        Assert.Contains(problems, p => p.Contains("has none of the nodes Options:OutputNodes names (99)", StringComparison.Ordinal));
    }

    [Fact]
    public void Engine_setup_names_the_engine_in_each_problem_and_takes_no_key_for_comfyui()
    {
        var good = new EngineOptions
        {
            Type = "comfyui", BaseUrl = new Uri("http://127.0.0.1:8188"),
            Workflows = new() { ["imagine"] = Path.Combine(Samples, "txt2img.json"), ["inpaint"] = Path.Combine(Samples, "inpaint.json") },
        };
        var bad = new EngineOptions { Type = "comfyui", BaseUrl = new Uri("http://127.0.0.1:8188"), Workflows = new() { ["imagine"] = Path.Combine(Samples, "inpaint.json") } };
        var none = new EngineOptions { Type = "comfyui", BaseUrl = new Uri("http://127.0.0.1:8188") };

        var (engines, problems) = EngineSetup.Read(new Dictionary<string, EngineOptions> { ["comfy"] = good, ["broken"] = bad, ["empty"] = none });

        var engine = Assert.Single(engines);
        Assert.Equal(("comfy", "comfyui", false), (engine.Descriptor.Name, engine.Descriptor.Type, engine.Descriptor.ChainsByJobId));
        Assert.Equal([EngineCapability.Inpaint, EngineCapability.Imagine], engine.Descriptor.Capabilities.Order());
        Assert.Contains(problems, p => p.StartsWith("Easel:Engines:broken: the workflow of imagine (", StringComparison.Ordinal) && p.Contains("uses an image or mask placeholder, but imagine has no source image", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Easel:Engines:empty: Workflows is missing", StringComparison.Ordinal));
    }

    [Fact]
    public void The_prompt_id_is_a_canonical_uuid_fixed_by_the_submission_key()
    {
        var id = ComfyUiProtocol.PromptIdOf("easel-0123456789abcdef0123456789abcdef");

        Assert.Equal(id, ComfyUiProtocol.PromptIdOf("easel-0123456789abcdef0123456789abcdef"));
        Assert.NotEqual(id, ComfyUiProtocol.PromptIdOf("easel-0123456789abcdef0123456789abcdee"));
        Assert.Equal(id, Guid.Parse(id).ToString("D"));
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", id);
    }
}
