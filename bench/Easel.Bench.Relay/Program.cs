using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Easel.Bench.Relay;
using Easel.Bench.Relay.Cases;
using Easel.Core.Outbound;
using Easel.Engines.Upstream;
using Easel.Storage.Blobs;
using Easel.Testing;
using Easel.Testing.UpstreamFakes;

// The relay figure of issue 17, per upstream protocol (docs/PERFORMANCE.md "Upstream adapters"): an imagine through
// Easel (create at the front until the task is completed with its images re-hosted) against the same imagine done
// straight on the protocol's fake by a client of that protocol, in the same run, interleaved; and, apart, the
// re-hosting of the same four images (Easel's ResultRehosting into a file blob store, in this process), since the
// target is "p50 added at most 5 ms, plus the re-hosting of the images". "To the upstream" is the relay itself: from the
// client's request until the fake has read the submission (its own timestamp), directly and through Easel's create.
// Protocols (all by default): openai-images, sd-webui, midjourney-proxy (trueai-org's), midjourney-proxy-novicezk
// (novicezk's, whose grid Easel splits, so its re-hosting reference is the grid's), comfyui, cog (webhook only: the
// direct client receives the prediction on a webhook server of its own).
// Usage: dotnet build -c Release bench/Easel.Bench.Relay &&
//   dotnet bench/Easel.Bench.Relay/bin/Release/net10.0/Easel.Bench.Relay.dll [protocol ...] [--count N] [--warmup N]
var count = 200;
var warmup = 20;
var chosen = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--count": count = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--warmup": warmup = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default: chosen.Add(args[i]); break;
    }
}
var all = new Dictionary<string, Func<RelayCase>>
{
    ["openai-images"] = () => new OpenAiImagesCase(),
    ["sd-webui"] = () => new SdWebuiCase(),
    ["midjourney-proxy"] = () => new MidjourneyProxyCase(),
    ["midjourney-proxy-novicezk"] = () => new MidjourneyProxyCase(FakeMjFlavour.Novicezk),
    ["comfyui"] = () => new ComfyUiCase(),
    ["cog"] = () => new CogCase(),
};
if (chosen.Count == 0)
{
    chosen.AddRange(all.Keys);
}
var unknown = chosen.Where(c => !all.ContainsKey(c)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"unknown protocol(s) {string.Join(", ", unknown)}; known: {string.Join(", ", all.Keys)}");
    return 2;
}

Console.WriteLine($"machine: {Environment.ProcessorCount} cores; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; {count} measured after {warmup}, sequential, interleaved");
Console.WriteLine("| protocol | to the upstream p50: direct / through Easel / added (ms) | whole imagine direct p50 / p95 (ms) | whole imagine through Easel p50 / p95 (ms) | added p50 (ms) | re-hosting 4 images p50 (ms) | added minus re-hosting p50 (ms) | ratio p50 |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
foreach (var name in chosen)
{
    await using var relayCase = all[name]();
    var result = await MeasureAsync(name, relayCase, count, warmup);
    Console.WriteLine(result);
}
return 0;

static async Task<string> MeasureAsync(string name, RelayCase relayCase, int count, int warmup)
{
    var baseUrl = await relayCase.StartAsync();
    var data = Directory.CreateTempSubdirectory("easel-relay-");
    try
    {
        var settings = new Dictionary<string, string>
        {
            ["Easel__Engines__relay__Type"] = relayCase.Type,
            ["Easel__Engines__relay__BaseUrl"] = baseUrl,
            ["Easel__Engines__relay__ApiKey"] = relayCase.ApiKey,
            ["Easel__Engines__relay__MaxInFlight"] = "1000",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in relayCase.Settings)
        {
            settings["Easel__Engines__relay__" + key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var adminKey = "bench-" + Guid.NewGuid().ToString("N");
        using var server = await ServerProcess.StartAsync(Path.Combine(data.FullName, "front"), adminKey, settings);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var userKey = await AccountKeyAsync(http, server.Url, adminKey);

        var limits = new OutboundOptions { AllowPrivateNetworks = false };
        using var outbound = new GuardedHttpClient(new AddressPolicy(limits, new AllowedEndpoints([new Uri(baseUrl)])), limits);
        var rehosting = new ResultRehosting(outbound, new FileBlobStore(Path.Combine(data.FullName, "rehosted")), limits);

        var (direct, relay, rehost) = (new List<double>(), new List<double>(), new List<double>());
        var (directArrival, relayArrival) = (new List<double>(), new List<double>());
        for (var i = 0; i < warmup + count; i++)
        {
            var prompt = $"a lighthouse in fog, take {i}";
            var started = Stopwatch.GetTimestamp();
            var urls = await relayCase.DirectAsync(http, prompt);
            var directMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var directArrivalMs = Stopwatch.GetElapsedTime(started, relayCase.LastArrival).TotalMilliseconds;

            started = Stopwatch.GetTimestamp();
            await relayCase.RehostAsync(rehosting, urls);
            var rehostMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

            started = Stopwatch.GetTimestamp();
            await ThroughEaselAsync(http, server.Url, userKey, prompt);
            var relayMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var relayArrivalMs = Stopwatch.GetElapsedTime(started, relayCase.LastArrival).TotalMilliseconds;
            if (i >= warmup)
            {
                direct.Add(directMs);
                rehost.Add(rehostMs);
                relay.Add(relayMs);
                directArrival.Add(directArrivalMs);
                relayArrival.Add(relayArrivalMs);
            }
        }
        // Where Easel's part goes, from its own histograms (means over the warm-up and the measured runs).
        var metrics = await http.GetStringAsync(server.Url + "/metrics");
        double Mean(string histogram) => Sum(metrics, histogram + "_sum") / Sum(metrics, histogram + "_count") * 1000;
        Console.Error.WriteLine($"{name}: Easel's own means: submission {Mean("easel_upstream_submit_duration_seconds"):0.00} ms "
            + $"(the upstream's answer included), acceptance -> results stored {Mean("easel_upstream_result_duration_seconds"):0.00} ms");
        double P(List<double> values, double p) => Stats.Percentile(values, p);
        var added = P(relay, 0.5) - P(direct, 0.5);
        var net = added - P(rehost, 0.5);
        var handOver = P(relayArrival, 0.5) - P(directArrival, 0.5);
        return $"| {name} | {P(directArrival, 0.5):0.00} / {P(relayArrival, 0.5):0.00} / **{handOver:0.00}** | "
            + $"{P(direct, 0.5):0.00} / {P(direct, 0.95):0.00} | {P(relay, 0.5):0.00} / {P(relay, 0.95):0.00} | {added:0.00} | "
            + $"{P(rehost, 0.5):0.00} | {net:0.00} | {P(relay, 0.5) / P(direct, 0.5):0.0}x |";
    }
    finally
    {
        data.Delete(recursive: true);
    }
}

// The sum of a Prometheus series' samples over its labels.
static double Sum(string exposition, string series) => exposition.Split('\n')
    .Where(l => l.StartsWith(series + "{", StringComparison.Ordinal) || l.StartsWith(series + " ", StringComparison.Ordinal))
    .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

static async Task<string> AccountKeyAsync(HttpClient http, string front, string adminKey)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, front + "/admin/accounts")
    {
        Content = JsonContent.Create(new { name = "bench", credits = 1_000_000, max_active_tasks = 100_000 }),
    };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
    using var response = await http.SendAsync(request);
    response.EnsureSuccessStatusCode();
    return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["api_key"]!.GetValue<string>();
}

// Create, then read the task every millisecond until it is completed: what a client waiting on Easel sees.
static async Task ThroughEaselAsync(HttpClient http, string front, string key, string prompt)
{
    using var create = new HttpRequestMessage(HttpMethod.Post, front + "/v1/images/generations")
    {
        Content = JsonContent.Create(new { model = "mj-v7", prompt }),
    };
    create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
    using var created = await http.SendAsync(create);
    var createdBody = await created.Content.ReadAsStringAsync();
    if (!created.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"create answered {(int)created.StatusCode}: {createdBody}");
    }
    var id = JsonNode.Parse(createdBody)!["id"]!.GetValue<string>();
    var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 60);
    while (Stopwatch.GetTimestamp() < deadline)
    {
        using var read = new HttpRequestMessage(HttpMethod.Get, $"{front}/v1/tasks/{id}");
        read.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var answer = await http.SendAsync(read);
        var task = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!;
        switch (task["status"]?.GetValue<string>())
        {
            case "completed":
                return;
            case "failed":
                throw new InvalidOperationException($"the task failed: {task.ToJsonString()}");
        }
        await Task.Delay(1);
    }
    throw new TimeoutException($"task {id} did not complete within 60 s");
}
