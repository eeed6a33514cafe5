using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Easel.Engines.Upstream;
using Easel.Testing.UpstreamFakes;

namespace Easel.Bench.Relay.Cases;

/// <summary>
/// midjourney-proxy, in trueai-org's flavour or novicezk's: POST /mj/submit/imagine, then the task until SUCCESS. A
/// client of the proxy polls its fetch route (here every millisecond); Easel is woken by the proxy's notifyHook and then
/// polls once. trueai's finished task lists its four images (imageUrls); novicezk's has only the grid picture
/// (imageUrl), which Easel cuts into four, so that case's re-hosting reference is the grid's: fetched, split, stored.
/// </summary>
internal sealed class MidjourneyProxyCase(FakeMjFlavour flavour = FakeMjFlavour.TrueAi) : RelayCase
{
    /// <summary>The render's time at the fake, the same for both paths: long enough that the hook never beats the job's record.</summary>
    public static readonly TimeSpan WorkTime = TimeSpan.FromMilliseconds(100);

    private FakeMidjourneyProxy? _fake;

    public override string Type => "midjourney-proxy";

    public override string ApiKey => FakeMidjourneyProxy.Secret;

    public override IReadOnlyDictionary<string, string> Settings => flavour == FakeMjFlavour.Novicezk
        ? new Dictionary<string, string> { ["Options:Flavour"] = "novicezk" }
        : new Dictionary<string, string>();

    public override async Task<string> StartAsync()
    {
        _fake = await FakeMidjourneyProxy.StartAsync(flavour);
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
                return flavour == FakeMjFlavour.Novicezk
                    ? [new Uri((task["imageUrl"] ?? throw new InvalidOperationException($"a finished task without imageUrl: {task.ToJsonString()}")).GetValue<string>())]
                    : (task["imageUrls"] ?? throw new InvalidOperationException($"a finished task without imageUrls: {task.ToJsonString()}"))
                        .AsArray().Select(u => new Uri(u!["url"]!.GetValue<string>())).ToList();
            }
            await Task.Delay(1);
        }
    }

    public override Task RehostAsync(ResultRehosting rehosting, IReadOnlyList<Uri> results) => flavour == FakeMjFlavour.Novicezk
        ? rehosting.RehostGridAsync(results.Single(), CancellationToken.None)
        : base.RehostAsync(rehosting, results);

    public override long LastArrival => _fake!.Tasks.Values.Select(c => c.ReceivedAt).DefaultIfEmpty(0).Max();

    public override async ValueTask DisposeAsync()
    {
        if (_fake is not null)
        {
            await _fake.DisposeAsync();
        }
    }
}
