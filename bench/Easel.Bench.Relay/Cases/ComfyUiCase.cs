using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Easel.Testing.UpstreamFakes;

namespace Easel.Bench.Relay.Cases;

/// <summary>
/// ComfyUI with the sample txt2img workflow: POST /prompt, then /history/{id} until it has the run, its images as /view
/// URLs. ComfyUI pushes nothing over HTTP (only on its WebSocket, which Easel does not open), so both the client here
/// and Easel poll: the client every millisecond, Easel every <see cref="PollInterval"/>, which is what its added time is.
/// </summary>
internal sealed class ComfyUiCase : RelayCase
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);
    private const int Side = 256;
    private static readonly string Workflow = Path.GetFullPath("samples/comfyui/txt2img.json");

    private FakeComfyUi? _fake;
    private long _seed;

    public override string Type => "comfyui";

    public override string ApiKey => "";

    public override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Workflows:imagine"] = Workflow,
        ["Options:Width"] = Side.ToString(CultureInfo.InvariantCulture),
        ["Options:Height"] = Side.ToString(CultureInfo.InvariantCulture),
        ["PollInterval"] = PollInterval.ToString("c", CultureInfo.InvariantCulture),
    };

    public override async Task<string> StartAsync()
    {
        _fake = await FakeComfyUi.StartAsync();
        _fake.StepTime = TimeSpan.Zero;
        return _fake.BaseUrl;
    }

    public override async Task<IReadOnlyList<Uri>> DirectAsync(HttpClient http, string prompt)
    {
        var root = _fake!.BaseUrl.TrimEnd('/');
        // The workflow filled as Easel fills it: whole-value placeholders replaced by typed values.
        var graph = (await File.ReadAllTextAsync(Workflow))
            .Replace("\"{{easel:prompt}}\"", System.Text.Json.JsonSerializer.Serialize(prompt), StringComparison.Ordinal)
            .Replace("\"{{easel:negative_prompt}}\"", "\"\"", StringComparison.Ordinal)
            .Replace("\"{{easel:width}}\"", Side.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("\"{{easel:height}}\"", Side.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("\"{{easel:batch_size}}\"", "4", StringComparison.Ordinal)
            .Replace("\"{{easel:seed}}\"", Interlocked.Increment(ref _seed).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        using var queued = await http.PostAsync(root + "/prompt", JsonContent.Create(new JsonObject { ["prompt"] = JsonNode.Parse(graph), ["client_id"] = "bench" }));
        queued.EnsureSuccessStatusCode();
        var id = JsonNode.Parse(await queued.Content.ReadAsStringAsync())!["prompt_id"]!.GetValue<string>();
        while (true)
        {
            var history = JsonNode.Parse(await http.GetStringAsync($"{root}/history/{id}"))!;
            if (history[id] is { } run)
            {
                return run["outputs"]!.AsObject().SelectMany(o => o.Value!["images"]!.AsArray())
                    .Select(i => new Uri($"{root}/view?filename={Uri.EscapeDataString(i!["filename"]!.GetValue<string>())}"
                        + $"&subfolder={Uri.EscapeDataString(i["subfolder"]!.GetValue<string>())}&type={i["type"]!.GetValue<string>()}"))
                    .ToList();
            }
            await Task.Delay(1);
        }
    }

    public override long LastArrival => _fake!.Prompts.Select(c => c.ReceivedAt).DefaultIfEmpty(0).Max();

    public override async ValueTask DisposeAsync()
    {
        if (_fake is not null)
        {
            await _fake.DisposeAsync();
        }
    }
}
