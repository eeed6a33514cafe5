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
        // The server's database, read for the instant each task finished: its SQLite file, or (scale-out mode) PostgreSQL.
        var db = options.GetValueOrDefault("db");
        var pg = options.GetValueOrDefault("pg");
        if (db is null == (pg is null))
        {
            throw new ArgumentException("give one of --db DATA/easel.db (SQLite) or --pg CONNECTION-STRING (PostgreSQL)");
        }

        var received = new ConcurrentDictionary<string, DateTimeOffset>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        var hold = new TaskCompletionSource();
        app.Run(async http =>
        {
            if (http.Request.Path == "/hold")
            {
                await hold.Task.WaitAsync(TimeSpan.FromSeconds(30));
                return;
            }
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

        // --burst cancel: a first task holds the only worker (its image never answers), the rest wait pending,
        // and all of them are cancelled at once: a burst of terminal states, each with a callback to deliver.
        var cancelBurst = options.TryGetValue("burst", out var burst) && burst == "cancel";
        var holdUrl = hook.Replace("/hook", "/hold", StringComparison.Ordinal);
        if (cancelBurst)
        {
            await CreateAsync(http, holdUrl, hook, CancellationToken.None);
            await Task.Delay(500);
        }

        // --warmup N: a first round of N tasks on the freshly started server, reported apart: the first requests of a
        // process pay for JIT compilation, connection set-up and the thread pool's growth, which a running service has
        // long paid. The measured round follows on the same server.
        var warmup = options.TryGetValue("warmup", out var w) ? int.Parse(w, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var complete = true;
        if (warmup > 0)
        {
            complete &= await RoundAsync("cold round (just started)", warmup);
        }
        complete &= await RoundAsync(warmup > 0 ? "measured round" : "round", tasks);
        hold.TrySetResult();
        Console.WriteLine($"  bare POST to the receiver    : p50 {Stats.Percentile(reference, 0.5),6:0.0} ms  p99 {Stats.Percentile(reference, 0.99),6:0.0} ms");
        await app.StopAsync();
        return complete ? 0 : 1;

        async Task<bool> RoundAsync(string name, int count)
        {
            var wall = Stopwatch.StartNew();
            var ids = new ConcurrentBag<string>();
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (_, ct) =>
            {
                var (_, id) = await CreateAsync(http, url, hook, ct);
                ids.Add(id);
            });
            var createdIn = wall.Elapsed;
            var burstIn = TimeSpan.Zero;
            if (cancelBurst)
            {
                var burstClock = Stopwatch.StartNew();
                await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (id, ct) =>
                {
                    using var response = await http.PostAsync($"/model/v1/generation/task/{id}/cancel", null, ct);
                    response.EnsureSuccessStatusCode();
                });
                burstIn = burstClock.Elapsed;
            }
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (ids.Any(id => !received.ContainsKey(id)) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
            var allIn = wall.Elapsed;

            var finished = pg is null ? await FinishedInSqliteAsync(db!) : await FinishedInPostgresAsync(pg);
            // In the order the tasks ended, so the burst's fifths show whether the delay grows (a queue) or not.
            var delays = ids.Where(received.ContainsKey).Where(finished.ContainsKey).OrderBy(id => finished[id])
                .Select(id => (received[id] - finished[id]).TotalMilliseconds).ToList();
            Console.WriteLine($"{name}: " + (cancelBurst
                ? $"{count} pending tasks created in {createdIn.TotalSeconds:0.00} s, then all cancelled within {burstIn.TotalSeconds:0.00} s; all called back {allIn.TotalSeconds:0.00} s after the first create"
                : $"{count} tasks created in {createdIn.TotalSeconds:0.00} s; all finished and called back after {allIn.TotalSeconds:0.00} s"));
            Console.WriteLine($"  callbacks delivered          : {ids.Count(received.ContainsKey)} of {count}");
            Console.WriteLine($"  task end -> callback arrives : p50 {Stats.Percentile(delays, 0.5),6:0.0} ms  p99 {Stats.Percentile(delays, 0.99),6:0.0} ms  max {delays.Max(),6:0.0} ms  (target: p99 under 100 ms)");
            for (var f = 0; f < 5; f++)
            {
                var part = delays.Skip(f * delays.Count / 5).Take(delays.Count / 5).ToList();
                Console.WriteLine($"    fifth {f + 1} of the ends       : p50 {Stats.Percentile(part, 0.5),6:0.0} ms  p99 {Stats.Percentile(part, 0.99),6:0.0} ms");
            }
            return ids.All(received.ContainsKey);
        }
    }

    private static async Task<Dictionary<string, DateTimeOffset>> FinishedInSqliteAsync(string path)
    {
        var finished = new Dictionary<string, DateTimeOffset>();
        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, finished_at FROM tasks WHERE finished_at IS NOT NULL";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            finished[reader.GetString(0)] = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1));
        }
        return finished;
    }

    private static async Task<Dictionary<string, DateTimeOffset>> FinishedInPostgresAsync(string connectionString)
    {
        var finished = new Dictionary<string, DateTimeOffset>();
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT id, finished_at FROM tasks WHERE finished_at IS NOT NULL", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            finished[reader.GetString(0)] = reader.GetFieldValue<DateTimeOffset>(1);
        }
        return finished;
    }

    private static async Task<(int Status, string Id)> CreateAsync(HttpClient http, string imageUrl, string hook, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync("/model/v1/generation", new
        {
            model = "midjourney_uploadpaint", imgUrl = imageUrl, remixPrompt = "bench", callback = hook,
            canvas = new { width = 8, height = 8 }, imgPos = new { width = 8, height = 8, x = 0, y = 0 },
            mask = new { areas = new[] { new { width = 8, height = 8, points = new[] { 0, 0, 0, 4, 4, 4 } } } },
        }, ct);
        var created = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
        return ((int)response.StatusCode, created?["id"]?.GetValue<string>()
            ?? throw new InvalidOperationException($"create answered {(int)response.StatusCode}: {created?.ToJsonString()}"));
    }
}
