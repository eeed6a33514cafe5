using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Easel.Testing.UpstreamFakes;

namespace Easel.Bench.Relay.Cases;

/// <summary>AUTOMATIC1111's API: one synchronous POST /sdapi/v1/txt2img, four base64 PNGs in its answer.</summary>
internal sealed class SdWebuiCase : RelayCase
{
    private const int Side = 512;
    private FakeSdWebui? _fake;

    public override string Type => "sd-webui";

    public override string ApiKey => FakeSdWebui.ApiKey;

    public override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Options:Width"] = Side.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Options:Height"] = Side.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public override async Task<string> StartAsync()
    {
        _fake = await FakeSdWebui.StartAsync();
        _fake.WorkTime = TimeSpan.Zero;
        return _fake.BaseUrl;
    }

    public override async Task<IReadOnlyList<Uri>> DirectAsync(HttpClient http, string prompt)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _fake!.BaseUrl.TrimEnd('/') + "/sdapi/v1/txt2img")
        {
            // What Easel sends for an imagine (its seed aside).
            Content = JsonContent.Create(new { prompt, negative_prompt = "", seed = 7, batch_size = 4, n_iter = 1, steps = 30, cfg_scale = 7, width = Side, height = Side }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(FakeSdWebui.ApiKey)));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return answer["images"]!.AsArray().Select(i => new Uri("data:image/png;base64," + i!.GetValue<string>())).ToList();
    }

    public override long LastArrival => _fake!.Calls.Select(c => c.ReceivedAt).DefaultIfEmpty(0).Max();

    public override async ValueTask DisposeAsync()
    {
        if (_fake is not null)
        {
            await _fake.DisposeAsync();
        }
    }
}
