using System.Net;
using Easel.Server.Tests.Callbacks;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Observability;

public sealed class MetricsTests
{
    [Fact]
    public async Task Real_work_moves_every_counter_by_what_happened()
    {
        var hostName = Dns.GetHostName();
        var hostAddresses = await Dns.GetHostAddressesAsync(hostName);
        Assert.True(hostAddresses.Length > 0 && hostAddresses.All(Easel.Core.Outbound.AddressPolicy.IsRefused),
            $"this test needs the machine's own name ({hostName}) to resolve to private addresses, to provoke a refused callback");
        await using var images = await ImageServer.StartAsync();
        await using var ok = await CallbackReceiver.StartAsync();
        await using var flaky = await CallbackReceiver.StartAsync();
        await using var down = await CallbackReceiver.StartAsync();
        flaky.Status = n => n == 1 ? 500 : 200;
        down.Status = _ => 503;
        // Loopback is reachable only by the allowed name "localhost", so the machine's own name meets the guard.
        using var host = new EaselHost(new()
        {
            ["Easel:Outbound:AllowPrivateNetworks"] = "false",
            ["Easel:Outbound:AllowedHosts:0"] = "localhost",
            ["Easel:Workers"] = "1",
        });
        static string ByName(string url) => url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        var (accountId, client, _) = await host.CreateAccountAsync(new { name = "metrics", credits = 1000 });
        using var scraper = host.CreateClient();
        var before = await ScrapeAsync(scraper);

        // A holds the only worker until released, so the next tasks wait in the queue.
        var release = new TaskCompletionSource();
        var slow = ByName(images.Handle("/slow.png", async http =>
        {
            await release.Task;
            await http.Response.Body.WriteAsync(TestImages.PatternPng(16, 16));
        }));
        var good = ByName(images.Serve("/a.png", TestImages.PatternPng(16, 16)));
        var a = await CreateClassicAsync(client, slow, ByName(ok.Url));
        await WaitUntilAsync(() => images.Hits("/slow.png") == 1, "A is claimed");
        var b = await CreateClassicAsync(client, good, ByName(flaky.Url));
        var c = await CreateClassicAsync(client, ByName(images.BaseUrl) + "/missing.png", ByName(down.Url));
        var (unifiedStatus, d) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(good, canvas: 32));
        Assert.Equal(200, unifiedStatus);
        var e = await CreateClassicAsync(client, good, $"http://{hostName}:9/hook");

        var queued = await ScrapeAsync(scraper);
        Assert.Equal(4, queued.Value("easel_tasks_pending"));
        Assert.InRange(queued.Value("easel_tasks_oldest_pending_age_seconds"), 0, 60);

        var (cancelStatus, _) = await client.PostJsonAsync($"/v1/tasks/{d["id"]}/cancel", "{}");
        Assert.Equal(200, cancelStatus);
        release.SetResult();
        foreach (var id in new[] { a, b, c, e })
        {
            await client.ClassicDoneAsync(id);
        }
        // C's receiver fails four times (1 + 2 + 4 s apart); E's address is refused four times.
        await WaitUntilAsync(() => down.Requests.Count == 4 && flaky.Requests.Count == 2 && ok.Requests.Count == 1, "callbacks", 30);
        await CallbackDeliveryTests.WaitForStateAsync(client, $"/model/v1/generation/task/{e}/callbacks", "failed", TimeSpan.FromSeconds(30));
        await CallbackDeliveryTests.WaitForStateAsync(client, $"/model/v1/generation/task/{c}/callbacks", "failed", TimeSpan.FromSeconds(30));
        var after = await ScrapeAsync(scraper);

        double Delta(string name, params (string, string)[] labels) => after.Value(name, labels) - before.Value(name, labels);
        var ledger = await host.LedgerAsync(accountId);
        var price = -ledger["data"]!.AsArray().First(x => x!["kind"]!.GetValue<string>() == "reserve")!["amount"]!.GetValue<double>();

        Assert.Equal(5, Delta("easel_tasks_created_total", ("operation", "upload_paint")));
        Assert.Equal(3, Delta("easel_tasks_completed_total", ("operation", "upload_paint")));
        Assert.Equal(1, Delta("easel_tasks_failed_total", ("operation", "upload_paint"), ("reason", "image_processing")));
        Assert.Equal(1, Delta("easel_tasks_cancelled_total", ("operation", "upload_paint")));
        Assert.Equal(3 * price, Delta("easel_credits_charged_total", ("operation", "upload_paint")), 6);
        Assert.Equal(2 * price, Delta("easel_credits_refunded_total", ("operation", "upload_paint")), 6);
        Assert.Equal(3, Delta("easel_engine_duration_seconds_count", ("operation", "upload_paint"), ("outcome", "ok")));
        Assert.Equal(0, Delta("easel_engine_duration_seconds_count", ("outcome", "error")));

        Assert.Equal(2, Delta("easel_callbacks_attempts_total", ("outcome", "delivered")));
        Assert.Equal(1 + 3, Delta("easel_callbacks_attempts_total", ("outcome", "failed_will_retry")));
        Assert.Equal(1, Delta("easel_callbacks_attempts_total", ("outcome", "gave_up")));
        Assert.Equal(4, Delta("easel_callbacks_attempts_total", ("outcome", "refused_address")));

        Assert.Equal(4, Delta("easel_http_request_duration_seconds_count", ("method", "POST"), ("route", "/model/v1/generation"), ("status", "200")));
        Assert.Equal(1, Delta("easel_http_request_duration_seconds_count", ("method", "POST"), ("route", "/v1/images/generations"), ("status", "200")));
        Assert.Equal(1, Delta("easel_http_request_duration_seconds_count", ("method", "POST"), ("route", "/v1/tasks/{taskId}/cancel"), ("status", "200")));
        Assert.Equal(0, after.Value("easel_tasks_pending"));
        Assert.Equal(0, after.Value("easel_tasks_oldest_pending_age_seconds"));

        // Every metric README documents is served, under that name, after this work (the upstream engines' own after
        // theirs: UpstreamMetricsTests; retention's after a sweep: RetentionTests).
        var documented = DocumentedMetricNames()
            .Where(n => !n.StartsWith("easel_upstream_", StringComparison.Ordinal) && !n.StartsWith("easel_files_", StringComparison.Ordinal)).ToList();
        Assert.True(documented.Count >= 11, $"README's metrics table lists {documented.Count} names: {string.Join(", ", documented)}");
        Assert.All(documented, name => Assert.True(after.Families.ContainsKey(name), $"README documents {name}; /metrics has no such family"));
    }

    // The names in the first column of README's metrics table (between "| metric |" and the next blank line).
    internal static List<string> DocumentedMetricNames()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Easel.slnx")))
        {
            directory = directory.Parent;
        }
        Assert.NotNull(directory);
        var lines = File.ReadAllLines(Path.Combine(directory.FullName, "README.md"));
        var start = Array.FindIndex(lines, l => l.StartsWith("| metric |", StringComparison.Ordinal));
        Assert.True(start >= 0, "README has no metrics table");
        return lines.Skip(start + 2).TakeWhile(l => l.StartsWith('|'))
            .SelectMany(l => System.Text.RegularExpressions.Regex.Matches(l.Split('|')[1], "`(easel_[a-z_]+)`").Select(m => m.Groups[1].Value))
            .ToList();
    }

    [Fact]
    public async Task Metrics_need_no_key_by_default_and_an_admin_key_when_configured()
    {
        using (var open = new EaselHost())
        {
            using var anonymous = open.CreateClient();
            using var response = await anonymous.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        }
        using var guarded = new EaselHost(new() { ["Easel:Metrics:RequireAdminKey"] = "true" });
        using (var anonymous = guarded.CreateClient())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        }
        using (var user = await guarded.NewAccountAsync())
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/metrics")).StatusCode);
        }
        using var admin = guarded.Admin();
        PrometheusExposition.Parse(await admin.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task A_request_to_no_route_is_counted_as_unmatched_not_by_its_path()
    {
        using var host = new EaselHost();
        using var client = host.CreateClient();
        await client.GetAsync("/no/such/path/secret-looking-123");
        var text = await client.GetStringAsync("/metrics");
        var exposition = PrometheusExposition.Parse(text);
        Assert.Equal(1, exposition.Value("easel_http_request_duration_seconds_count", ("route", "unmatched"), ("status", "404")));
        Assert.DoesNotContain("secret-looking-123", text, StringComparison.Ordinal);
    }

    internal static async Task<PrometheusExposition> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return PrometheusExposition.Parse(await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> CreateClassicAsync(HttpClient client, string imageUrl, string callback)
    {
        var body = Requests.ClassicUploadPaint(imageUrl, canvas: 32);
        body["callback"] = callback;
        var (status, task) = await client.PostJsonAsync("/model/v1/generation", body);
        Assert.True(status == 200, task.ToJsonString());
        return task["id"]!.GetValue<string>();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for: {what}");
            await Task.Delay(20);
        }
    }
}
