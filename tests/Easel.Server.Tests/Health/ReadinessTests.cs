using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Easel.Server.Tasks;
using Easel.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Easel.Testing;

namespace Easel.Server.Tests.Health;

/// <summary>/readyz names each check and answers 503 naming the one that fails, with no key, quickly.</summary>
public sealed class ReadinessTests
{
    private static readonly string[] AllChecks = ["data_directory", "database", "shutdown", "workers"];

    [Fact]
    public async Task A_started_node_is_ready_and_lists_every_check()
    {
        using var host = new EaselHost();
        using var client = host.CreateClient();
        await ReadyzAsync(client); // the first request of a host pays for compiling its pipeline
        var (status, body, elapsed) = await ReadyzAsync(client);

        Assert.Equal(200, status);
        Assert.Equal("ready", body["status"]!.GetValue<string>());
        Assert.Null(body["failing"]);
        var checks = body["checks"]!.AsObject();
        Assert.Equal(AllChecks, checks.Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.All(checks, c => Assert.Equal("ok", c.Value!["status"]!.GetValue<string>()));
        Assert.Equal("running", checks["workers"]!["details"]!["task_worker"]!.GetValue<string>());
        Assert.Equal("running", checks["workers"]!["details"]!["callback_worker"]!.GetValue<string>());
        // Milliseconds, not seconds: far under the one-second limit of a check even on a loaded machine.
        Assert.True(elapsed < TimeSpan.FromMilliseconds(900), $"/readyz took {elapsed}");
        // The probe files are gone.
        Assert.Empty(Directory.GetFiles(host.DataDirectory, ".readiness-*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Healthz_says_alive_without_a_key_and_is_not_cached()
    {
        using var host = new EaselHost();
        using var client = host.CreateClient();
        using var response = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task A_node_whose_files_folder_cannot_take_a_file_is_not_ready()
    {
        using var host = new EaselHost();
        using var client = host.CreateClient();
        Assert.Equal(200, (await ReadyzAsync(client)).Status);

        // chmod does not stop root (tests may run as root): a regular file where the folder was fails for anyone.
        var files = Path.Combine(host.DataDirectory, "files");
        Directory.Delete(files, recursive: true);
        await File.WriteAllTextAsync(files, "not a folder");

        var (status, body, _) = await ReadyzAsync(client);
        Assert.Equal(503, status);
        Assert.Equal("not_ready", body["status"]!.GetValue<string>());
        Assert.Equal(["data_directory"], body["failing"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal("the data directory is not writable", body["checks"]!["data_directory"]!["reason"]!.GetValue<string>());
        Assert.Equal("ok", body["checks"]!["database"]!["status"]!.GetValue<string>());

        File.Delete(files);
        Directory.CreateDirectory(files);
        Assert.Equal(200, (await ReadyzAsync(client)).Status);
    }

    [Fact]
    public async Task A_node_that_cannot_open_its_database_is_not_ready()
    {
        using var host = new EaselHost();
        using var client = host.CreateClient();
        Assert.Equal(200, (await ReadyzAsync(client)).Status);

        // The database file is moved away and a folder put in its place: a new connection cannot open it. Pooled
        // connections would still hold the old file, so the pools are emptied first.
        var database = Path.Combine(host.DataDirectory, "easel.db");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Move(database, database + ".moved");
        Directory.CreateDirectory(database);
        try
        {
            var (status, body, elapsed) = await ReadyzAsync(client);
            Assert.Equal(503, status);
            Assert.Contains("database", body["failing"]!.AsArray().Select(f => f!.GetValue<string>()));
            Assert.Equal("failing", body["checks"]!["database"]!["status"]!.GetValue<string>());
            Assert.StartsWith("the database did not answer a query", body["checks"]!["database"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.True(elapsed < TimeSpan.FromSeconds(2), $"/readyz took {elapsed}");
        }
        finally
        {
            Directory.Delete(database);
            File.Move(database + ".moved", database);
        }
        Assert.Equal(200, (await ReadyzAsync(client)).Status);
    }

    [Fact]
    public async Task A_node_whose_task_worker_stopped_is_not_ready()
    {
        using var host = new EaselHost();
        using var client = host.CreateClient();
        Assert.Equal(200, (await ReadyzAsync(client)).Status);

        var worker = host.Services.GetServices<IHostedService>().OfType<TaskWorker>().Single();
        await worker.StopAsync(CancellationToken.None);

        var (status, body, _) = await ReadyzAsync(client);
        Assert.Equal(503, status);
        Assert.Equal(["workers"], body["failing"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal("task_worker is stopped", body["checks"]!["workers"]!["reason"]!.GetValue<string>());
        Assert.Equal("running", body["checks"]!["workers"]!["details"]!["callback_worker"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_node_that_is_stopping_is_not_ready_while_its_running_task_drains()
    {
        await using var images = await ImageServer.StartAsync();
        // The source image answers only after a while: the task is processing meanwhile and holds the grace period.
        var url = images.Stall("/slow.png", TimeSpan.FromSeconds(4));
        using var host = new EaselHost(new() { ["Easel:Tasks:ShutdownGracePeriod"] = "00:00:30" });
        using var client = host.Admin();
        var (created, task) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url));
        Assert.Equal(200, created);
        var id = task["id"]!.GetValue<string>();
        while ((await client.GetJsonAsync($"/v1/tasks/{id}")).Body["status"]!.GetValue<string>() != "processing")
        {
            await Task.Delay(20);
        }

        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        // The web server is stopped last, after the drain: meanwhile the node answers, and says it is not ready.
        var (status, body, _) = await ReadyzAsync(client);
        Assert.Equal(503, status);
        Assert.Contains("shutdown", body["failing"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal("the node is shutting down", body["checks"]!["shutdown"]!["reason"]!.GetValue<string>());
        Assert.Equal("processing", (await client.GetJsonAsync($"/v1/tasks/{id}")).Body["status"]!.GetValue<string>());
    }

    [Fact]
    public void The_host_waits_for_the_grace_period_then_the_callbacks_in_flight()
    {
        using var host = new EaselHost(new() { ["Easel:Tasks:ShutdownGracePeriod"] = "00:01:00", ["Easel:Callbacks:Timeout"] = "00:00:20" });
        var options = host.Services.GetRequiredService<IOptions<HostOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(60 + 20 + 5), options.ShutdownTimeout);
    }

    internal static async Task<(int Status, JsonObject Body, TimeSpan Elapsed)> ReadyzAsync(HttpClient client)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync("/readyz");
        var elapsed = clock.Elapsed;
        Assert.True(response.Headers.CacheControl?.NoStore, "readiness must never be cached");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", $"/readyz answered {(int)response.StatusCode} {response.Content.Headers.ContentType}: {text}");
        var body = JsonNode.Parse(text)!.AsObject();
        return ((int)response.StatusCode, body, elapsed);
    }
}
