using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Easel.Testing.UpstreamFakes;

namespace Easel.Bench.Relay.Cases;

/// <summary>The OpenAI Images API: one synchronous POST /v1/images/generations, four base64 images in its answer.</summary>
internal sealed class OpenAiImagesCase : RelayCase
{
    private FakeOpenAiImages? _fake;

    public override string Type => "openai-images";

    public override string ApiKey => FakeOpenAiImages.Key;

    public override async Task<string> StartAsync()
    {
        _fake = await FakeOpenAiImages.StartAsync();
        _fake.WorkTime = TimeSpan.Zero;
        return _fake.BaseUrl;
    }

    public override async Task<IReadOnlyList<Uri>> DirectAsync(HttpClient http, string prompt)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _fake!.BaseUrl.TrimEnd('/') + "/v1/images/generations")
        {
            // What Easel sends for an imagine at its default 1:1 shape.
            Content = JsonContent.Create(new { model = "gpt-image-1", prompt, n = 4, size = "1024x1024" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", FakeOpenAiImages.Key);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return answer["data"]!.AsArray().Select(d => new Uri("data:image/png;base64," + d!["b64_json"]!.GetValue<string>())).ToList();
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
