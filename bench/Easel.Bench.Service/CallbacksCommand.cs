using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Easel.Imaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

/// <summary>
/// N tasks (on a server running the passthrough engine) with callbacks to a receiver in this process: are all
/// delivered, and how long after each task's end does its callback arrive? The reference, in the same run: a bare
/// POST from this process to the same receiver.
/// </summary>
internal static class CallbacksCommand
{
    public static async Task<int> RunAsync(string baseUrl, string key, Dictionary<string, string> options)
    {
        var tasks = options.TryGetValue("tasks", out var t) ? int.Parse(t, System.Globalization.CultureInfo.InvariantCulture) : 1000;
        var db = options.TryGetValue("db", out var d) ? d : throw new ArgumentException("--db is required");

        var received = new ConcurrentDictionary<string, DateTimeOffset>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.Run(async http =>
        {
            var at = DateTimeOffset.UtcNow;
            var body = await JsonNode.ParseAsync(http.Request.Body);
            if (body?["id"]?.GetValue<string>() is { } id)
            {
                received.TryAdd(id, at);
            }
            http.Response.StatusCode = 200;
        });
        await app.StartAsync();
        var hook = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/hook";

        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        // Reference: the same receiver, a bare POST of a task-sized body, sequentially.
        using var bare = new HttpClient();
        var reference = new List<double>();
        for (var i = 0; i < 300; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await bare.PostAsync(hook.Replace("/hook", "/ref", StringComparison.Ordinal), new StringContent("{\"id\":\"ref\"}"));
            reference.Add(clock.Elapsed.TotalMilliseconds);
        }

        using var form = new MultipartFormDataContent { { new ByteArrayContent(ImageCodec.EncodePng(new RgbaImage(8, 8))), "file", "a.png" } };
        var url = (await (await http.PostAsync("/v1/files", form)).Content.ReadFromJsonAsync<JsonObject>())!["url"]!.GetValue<string>();

        var wall = Stopwatch.StartNew();
        var ids = new ConcurrentBag<string>();
        await Parallel.ForAsync(0, tasks, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (_, ct) =>
        {
            var response = await http.PostAsJsonAsync("/model/v1/generation", new
            {
                model = "midjourney_uploadpaint", imgUrl = url, remixPrompt = "bench", callback = hook,
                canvas = new { width = 8, height = 8 }, imgPos = new { width = 8, height = 8, x = 0, y = 0 },
                mask = new { areas = new[] { new { width = 8, height = 8, points = new[] { 0, 0, 0, 4, 4, 4 } } } },
            }, ct);
            var created = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
            ids.Add(created?["id"]?.GetValue<string>() ?? throw new InvalidOperationException($"create answered {(int)response.StatusCode}: {created?.ToJsonString()}"));
        });
        var createdIn = wall.Elapsed;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (ids.Any(id => !received.ContainsKey(id)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        var allIn = wall.Elapsed;

        var finished = new Dictionary<string, DateTimeOffset>();
        await using (var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT id, finished_at FROM tasks WHERE finished_at IS NOT NULL";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                finished[reader.GetString(0)] = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1));
            }
        }
        var delays = ids.Where(received.ContainsKey).Where(finished.ContainsKey)
            .Select(id => (received[id] - finished[id]).TotalMilliseconds).ToList();

        Console.WriteLine($"{tasks} tasks created in {createdIn.TotalSeconds:0.00} s; all finished and called back after {allIn.TotalSeconds:0.00} s");
        Console.WriteLine($"  callbacks delivered          : {ids.Count(received.ContainsKey)} of {tasks}");
        Console.WriteLine($"  task end -> callback arrives : p50 {Stats.Percentile(delays, 0.5),6:0.0} ms  p99 {Stats.Percentile(delays, 0.99),6:0.0} ms  max {delays.Max(),6:0.0} ms");
        Console.WriteLine($"  bare POST to the receiver    : p50 {Stats.Percentile(reference, 0.5),6:0.0} ms  p99 {Stats.Percentile(reference, 0.99),6:0.0} ms");
        Console.WriteLine($"  ratio p99 callback delay / p99 bare POST: {Stats.Percentile(delays, 0.99) / Stats.Percentile(reference, 0.99):0.0}x (target: p99 under 100 ms)");
        await app.StopAsync();
        return ids.All(received.ContainsKey) ? 0 : 1;
    }
}
