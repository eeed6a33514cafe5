using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Tasks;

public sealed class LifecycleTests
{
    [Fact]
    public async Task Progress_never_goes_down_and_ends_at_100()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var url = images.Serve("/a.png", TestImages.PatternPng(256, 256));
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url, canvas: 1024));
        Assert.Equal(0, created["progress"]!.GetValue<int>());
        var (task, progress) = await client.UnifiedDoneAsync(created["id"]!.GetValue<string>());
        Assert.Equal("completed", task["status"]!.GetValue<string>());
        Assert.Equal(100, progress[^1]);
        for (var i = 1; i < progress.Count; i++)
        {
            Assert.True(progress[i] >= progress[i - 1], $"progress went down: {string.Join(", ", progress)}");
        }
        var (_, classic) = await client.GetJsonAsync($"/model/v1/generation/task/{task["id"]}");
        Assert.Equal(1.0, classic["progress"]!.GetValue<double>());
    }

    [Fact]
    public async Task A_processing_task_is_cancelled_at_once_and_never_completes()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var release = new TaskCompletionSource();
        var fetching = new TaskCompletionSource();
        var url = images.Handle("/slow.png", async http =>
        {
            fetching.TrySetResult();
            await release.Task;
            await http.Response.Body.WriteAsync(TestImages.PatternPng(32, 32));
        });
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url));
        var id = created["id"]!.GetValue<string>();
        await fetching.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var (status, cancelled) = await client.PostJsonAsync($"/v1/tasks/{id}/cancel", "{}");
        Assert.Equal(200, status);
        Assert.Equal("failed", cancelled["status"]!.GetValue<string>());
        Assert.Equal("request_cancelled", cancelled["error"]!["code"]!.GetValue<string>());
        Assert.False(cancelled["task_info"]!["can_cancel"]!.GetValue<bool>());

        release.SetResult();
        var (classic, _) = await client.ClassicDoneAsync(id);
        Assert.Equal("cancelled", classic["status"]!.GetValue<string>());
        Assert.Null(classic["output"]);

        var (again, body) = await client.PostJsonAsync($"/v1/tasks/{id}/cancel", "{}");
        Assert.Equal(200, again); // cancelling twice is harmless and answers the cancelled task
        Assert.Equal("request_cancelled", body["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_pending_task_is_cancelled_and_the_next_one_still_runs()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost(new() { ["Easel:Workers"] = "1" });
        using var client = await host.NewAccountAsync();
        var release = new TaskCompletionSource();
        var fetching = new TaskCompletionSource();
        var slow = images.Handle("/slow.png", async http =>
        {
            fetching.TrySetResult();
            await release.Task;
            await http.Response.Body.WriteAsync(TestImages.PatternPng(32, 32));
        });
        var fast = images.Serve("/fast.png", TestImages.PatternPng(32, 32));
        var (_, first) = await client.PostJsonAsync("/model/v1/generation", Requests.ClassicUploadPaint(slow));
        await fetching.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var (_, second) = await client.PostJsonAsync("/model/v1/generation", Requests.ClassicUploadPaint(fast));
        var (_, third) = await client.PostJsonAsync("/model/v1/generation", Requests.ClassicUploadPaint(fast));

        var secondId = second["id"]!.GetValue<string>();
        var (pending, _) = await client.GetJsonAsync($"/model/v1/generation/task/{secondId}");
        Assert.Equal(200, pending);
        var (status, cancelled) = await client.PostJsonAsync($"/model/v1/generation/task/{secondId}/cancel", "{}");
        Assert.Equal(200, status);
        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());

        release.SetResult();
        Assert.Equal("completed", (await client.ClassicDoneAsync(first["id"]!.GetValue<string>())).Task["status"]!.GetValue<string>());
        Assert.Equal("completed", (await client.ClassicDoneAsync(third["id"]!.GetValue<string>())).Task["status"]!.GetValue<string>());
        Assert.Equal("cancelled", (await client.ClassicDoneAsync(secondId)).Task["status"]!.GetValue<string>());
        Assert.Equal(0, await Database.ScalarAsync<int>(host.DataDirectory, $"SELECT attempts FROM tasks WHERE id = '{secondId}'"));
    }

    [Fact]
    public async Task A_finished_task_cannot_be_cancelled()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var url = images.Serve("/a.png", TestImages.PatternPng(32, 32));
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url, canvas: 64));
        var id = created["id"]!.GetValue<string>();
        await client.UnifiedDoneAsync(id);
        var (status, body) = await client.PostJsonAsync($"/v1/tasks/{id}/cancel", "{}");
        Assert.Equal(409, status);
        Assert.Equal("invalid_request", body["error"]!["code"]!.GetValue<string>());
        var (classicStatus, classic) = await client.PostJsonAsync($"/model/v1/generation/task/{id}/cancel", "{}");
        Assert.Equal(409, classicStatus);
        Assert.Equal(4000409, classic["error"]!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Two_hundred_concurrent_creates_all_complete_exactly_once()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var url = images.Serve("/a.png", TestImages.PatternPng(16, 16));
        var creates = Enumerable.Range(0, 200).Select(i => i % 2 == 0
            ? client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url, canvas: 32))
            : client.PostJsonAsync("/model/v1/generation", Requests.ClassicUploadPaint(url, canvas: 32)));
        var created = await Task.WhenAll(creates);
        Assert.All(created, c => Assert.Equal(200, c.Status));
        var ids = created.Select(c => c.Body["id"]!.GetValue<string>()).ToList();
        Assert.Equal(200, ids.Distinct().Count());

        var results = new HashSet<string>();
        foreach (var id in ids)
        {
            var (task, _) = await client.UnifiedDoneAsync(id, TimeSpan.FromSeconds(120));
            Assert.Equal("completed", task["status"]!.GetValue<string>());
            foreach (var r in task["results"]!.AsArray())
            {
                Assert.True(results.Add(r!.GetValue<string>()), "each result file belongs to one task");
            }
        }
        Assert.Equal(800, results.Count);
        // Claimed once each, completed once each: no task ran twice.
        Assert.Equal(200, await Database.ScalarAsync<int>(host.DataDirectory, "SELECT COUNT(*) FROM tasks WHERE attempts = 1 AND state = 2"));
        var files = Directory.EnumerateFiles(Path.Combine(host.DataDirectory, "files"), "*.png", SearchOption.AllDirectories).Count();
        Assert.Equal(800, files);
    }
}
