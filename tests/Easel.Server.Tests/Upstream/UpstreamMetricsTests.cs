using Easel.Server.Tests.Infrastructure;
using Easel.Server.Tests.Observability;
using Easel.Testing.UpstreamFakes;

namespace Easel.Server.Tests.Upstream;

/// <summary>The per-engine instruments move by what happened, and every upstream metric README documents is served.</summary>
public sealed class UpstreamMetricsTests
{
    [Fact]
    public async Task Upstream_work_moves_the_engine_metrics_by_what_happened()
    {
        await using var broken = await FakeGateway.StartAsync();
        broken.Submit = SubmitBehaviour.ServerError;
        await using var fake = await FakeGateway.StartAsync();
        fake.SendsCallbacks = false;
        using var host = new EaselHost(new()
        {
            ["Easel:Engines:broken:Type"] = "unified", ["Easel:Engines:broken:BaseUrl"] = broken.BaseUrl,
            ["Easel:Engines:broken:ApiKey"] = FakeGateway.Key, ["Easel:Engines:broken:Priority"] = "1",
            ["Easel:Engines:gateway:Type"] = "classic", ["Easel:Engines:gateway:BaseUrl"] = fake.BaseUrl,
            ["Easel:Engines:gateway:ApiKey"] = FakeGateway.Key, ["Easel:Engines:gateway:Priority"] = "2",
            ["Easel:Engines:gateway:PollInterval"] = "00:00:00.100",
        });
        var (_, client, _) = await host.CreateAccountAsync(new { name = "metrics", credits = 100m });
        using var scraper = host.CreateClient();

        var (_, first) = await client.PostJsonAsync("/v1/images/generations", """{"model": "mj-v7", "prompt": "one"}""");
        await client.UnifiedDoneAsync(first["id"]!.GetValue<string>());
        fake.Job = JobBehaviour.NeverFinish;
        var (_, second) = await client.PostJsonAsync("/v1/images/generations", """{"model": "mj-v7", "prompt": "two"}""");
        var secondId = second["id"]!.GetValue<string>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (fake.Jobs.Count < 2 || fake.Polls < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "the second job was not polled");
            await Task.Delay(20);
        }
        var wakeUp = new Uri(fake.Jobs.Single(j => j.Prompt == "two").Callback!);
        using var anonymous = host.CreateClient();
        await anonymous.PostAsync(wakeUp.AbsolutePath, null);
        await anonymous.PostAsync(wakeUp.AbsolutePath + "x", null);
        var waiting = await MetricsTests.ScrapeAsync(scraper);
        await client.PostJsonAsync($"/v1/tasks/{secondId}/cancel", "{}");
        deadline = DateTime.UtcNow.AddSeconds(15);
        // The fake counts the cancel when it reads it, Easel when the answer is back: the scrape waits for Easel's count.
        var after = await MetricsTests.ScrapeAsync(scraper);
        while (fake.Cancels < 1 || after.Value("easel_upstream_cancels_total", ("engine", "gateway"), ("outcome", "sent")) < 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "the cancel did not reach the upstream");
            await Task.Delay(20);
            after = await MetricsTests.ScrapeAsync(scraper);
        }

        Assert.Equal(1, waiting.Value("easel_upstream_in_flight", ("engine", "gateway")));
        Assert.Equal(2, after.Value("easel_upstream_submissions_total", ("engine", "broken"), ("outcome", "unavailable")));
        Assert.Equal(2, after.Value("easel_upstream_submissions_total", ("engine", "gateway"), ("outcome", "accepted")));
        Assert.Equal(1, after.Value("easel_upstream_polls_total", ("engine", "gateway"), ("outcome", "succeeded")));
        Assert.True(after.Value("easel_upstream_polls_total", ("engine", "gateway"), ("outcome", "running")) >= 2);
        Assert.Equal(1, after.Value("easel_upstream_result_duration_seconds_count", ("engine", "gateway"), ("outcome", "completed")));
        Assert.Equal(1, after.Value("easel_upstream_cancels_total", ("engine", "gateway"), ("outcome", "sent")));
        Assert.Equal(1, after.Value("easel_upstream_wakeups_total", ("outcome", "polled")));
        Assert.Equal(1, after.Value("easel_upstream_wakeups_total", ("outcome", "refused")));
        var documented = MetricsTests.DocumentedMetricNames().Where(n => n.StartsWith("easel_upstream_", StringComparison.Ordinal)).ToList();
        Assert.True(documented.Count >= 7, string.Join(", ", documented));
        Assert.All(documented, name => Assert.True(after.Families.ContainsKey(name), $"README documents {name}; /metrics has no such family"));
    }
}
