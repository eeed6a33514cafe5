using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Easel.Testing.UpstreamFakes;

namespace Easel.Bench.Relay.Cases;

/// <summary>
/// trueai-org's midjourney-proxy: POST /mj/submit/imagine, then the task until SUCCESS. A client of the proxy polls its
/// fetch route (here every millisecond); Easel is woken by the proxy's notifyHook and then polls once.
/// </summary>
internal sealed class MidjourneyProxyCase : RelayCase
{
    /// <summary>The render's time at the fake, the same for both paths: long enough that the hook never beats the job's record.</summary>
    public static readonly TimeSpan WorkTime = TimeSpan.FromMilliseconds(100);

    private FakeMidjourneyProxy? _fake;

    public override string Type => "midjourney-proxy";

    public override string ApiKey => FakeMidjourneyProxy.Secret;

    public override async Task<string> StartAsync()
    {
        _fake = await FakeMidjourneyProxy.StartAsync();
        _fake.WorkTime = WorkTime;
        return _fake.BaseUrl;
    }

    public override async Task<IReadOnlyList<Uri>> DirectAsync(HttpClient http, string prompt)
    {
        var root = _fake!.BaseUrl.TrimEnd('/');
        using var submit = new HttpRequestMessage(HttpMethod.Post, root + "/mj/submit/imagine") { Content = JsonContent.Create(new { prompt }) };
        submit.Headers.Add("mj-api-secret", FakeMidjourneyProxy.Secret);
        using var submitted = await http.SendAsync(submit);
        submitted.EnsureSuccessStatusCode();
        var id = JsonNode.Parse(await submitted.Content.ReadAsStringAsync())!["result"]!.GetValue<string>();
        while (true)
        {
            using var fetch = new HttpRequestMessage(HttpMethod.Get, $"{root}/mj/task/{id}/fetch");
            fetch.Headers.Add("mj-api-secret", FakeMidjourneyProxy.Secret);
            using var fetched = await http.SendAsync(fetch);
            var task = JsonNode.Parse(await fetched.Content.ReadAsStringAsync())!;
            if (task["status"]!.GetValue<string>() == "SUCCESS")
            {
                return (task["imageUrls"] ?? throw new InvalidOperationException($"a finished task without imageUrls: {task.ToJsonString()}"))
                    .AsArray().Select(u => new Uri(u!["url"]!.GetValue<string>())).ToList();
            }
            await Task.Delay(1);
        }
    }

    public override long LastArrival => _fake!.Tasks.Values.Select(c => c.ReceivedAt).DefaultIfEmpty(0).Max();

    public override async ValueTask DisposeAsync()
    {
        if (_fake is not null)
        {
            await _fake.DisposeAsync();
        }
    }
}
