using System.Diagnostics;
using System.Diagnostics.Metrics;
using Easel.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Easel.Server.Tests.Observability;

/// <summary>
/// /metrics as OpenTelemetry's Prometheus exporter serves it from a real host: every kind of instrument Easel uses,
/// read back through a strict parser of the text format (and promtool's), and only this host's Easel meters.
/// </summary>
public sealed class ExpositionTests
{
    [Fact]
    public async Task Every_kind_of_instrument_is_served_as_valid_exposition_with_its_values()
    {
        using var host = new EaselHost();
        using var client = host.CreateClient();
        _ = await client.GetStringAsync("/healthz"); // the host (and its meter provider) is up before the instruments exist
        var meter = host.Services.GetRequiredService<IMeterFactory>().Create("Easel");
        var counter = meter.CreateCounter<long>("easel.test.jobs", "{job}", "Jobs done");
        var credits = meter.CreateCounter<double>("easel.test.credits", "{credit}", "Credits");
        var inFlight = meter.CreateUpDownCounter<int>("easel.test.in_flight", description: "In flight");
        var latency = meter.CreateHistogram("easel.test.latency", "s", "Latency",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1, 10] });
        var depth = 7.0;
        meter.CreateObservableGauge("easel.test.depth", () => depth, "{task}", "Depth\nwith a second line and a \\ backslash");

        counter.Add(2, new KeyValuePair<string, object?>("kind", "a"));
        counter.Add(3, new KeyValuePair<string, object?>("kind", "a"));
        counter.Add(1, new KeyValuePair<string, object?>("kind", "b\"quoted\\slashed\nnewline"));
        credits.Add(8.1);
        credits.Add(8.1);
        inFlight.Add(5);
        inFlight.Add(-2);
        foreach (var value in new[] { 0.05, 0.1, 0.5, 2, 50 })
        {
            latency.Record(value, new KeyValuePair<string, object?>("route", "/x"), new KeyValuePair<string, object?>("http.method", "GET"));
        }

        var exposition = PrometheusExposition.Parse(await client.GetStringAsync("/metrics"));

        Assert.Equal("counter", exposition.Families["easel_test_jobs_total"].Type);
        Assert.Equal(5, exposition.Value("easel_test_jobs_total", ("kind", "a")));
        // The label value comes back exactly, after escaping and unescaping.
        Assert.Equal(1, exposition.Value("easel_test_jobs_total", ("kind", "b\"quoted\\slashed\nnewline")));
        Assert.Equal(16.2, exposition.Value("easel_test_credits_total"), 9);
        Assert.Equal("gauge", exposition.Families["easel_test_in_flight"].Type);
        Assert.Equal(3, exposition.Value("easel_test_in_flight"));
        Assert.Equal("gauge", exposition.Families["easel_test_depth"].Type);
        Assert.Equal("Depth\nwith a second line and a \\ backslash", exposition.Families["easel_test_depth"].Help);
        Assert.Equal(7, exposition.Value("easel_test_depth"));

        var histogram = exposition.Families["easel_test_latency_seconds"];
        Assert.Equal("histogram", histogram.Type);
        double Bucket(string le) => exposition.Value("easel_test_latency_seconds_bucket", ("le", le), ("http_method", "GET"), ("route", "/x"));
        Assert.Equal(2, Bucket("0.1")); // 0.05, and 0.1 itself: le is "less than or equal"
        Assert.Equal(3, Bucket("1"));
        Assert.Equal(4, Bucket("10"));
        Assert.Equal(5, Bucket("+Inf"));
        Assert.Equal(5, exposition.Value("easel_test_latency_seconds_count"));
        Assert.Equal(52.65, exposition.Value("easel_test_latency_seconds_sum"), 9);

        // Observed again at the next scrape, with its new value: no scrape cache hides a change.
        depth = 2;
        Assert.Equal(2, PrometheusExposition.Parse(await client.GetStringAsync("/metrics")).Value("easel_test_depth"));
    }

    [Fact]
    public async Task Only_this_hosts_easel_meters_are_exported()
    {
        using var host = new EaselHost();
        using var other = new EaselHost();
        using var client = host.CreateClient();
        using var otherClient = other.CreateClient();
        _ = await client.GetStringAsync("/healthz");
        _ = await otherClient.GetStringAsync("/healthz");
        other.Services.GetRequiredService<IMeterFactory>().Create("Easel").CreateCounter<long>("easel.elsewhere").Add(1);
        using var unscoped = new Meter("Easel");
        unscoped.CreateCounter<long>("easel.unscoped").Add(1);
        var factory = host.Services.GetRequiredService<IMeterFactory>();
        factory.Create("Microsoft.AspNetCore.Hosting").CreateCounter<long>("not.ours").Add(1);
        factory.Create("Easel").CreateCounter<long>("easel.ours").Add(1);

        var exposition = PrometheusExposition.Parse(await client.GetStringAsync("/metrics"));

        Assert.Equal(1, exposition.Value("easel_ours_total"));
        var names = exposition.Families.Keys.ToHashSet();
        Assert.DoesNotContain("easel_elsewhere_total", names);
        Assert.DoesNotContain("easel_unscoped_total", names);
        Assert.DoesNotContain("not_ours_total", names);
        // Besides Easel's own families, only the exporter's description of the service.
        Assert.All(names, name => Assert.True(name.StartsWith("easel_", StringComparison.Ordinal) || name == "target_info", name));
    }

    [Fact]
    public async Task Promtool_accepts_the_exposition_after_real_work()
    {
        using var host = new EaselHost();
        var (_, client, _) = await host.CreateAccountAsync(new { name = "promtool", credits = 1000 });
        await using var images = await Easel.Testing.ImageServer.StartAsync();
        var (status, task) = await client.PostJsonAsync("/v1/images/generations",
            Requests.UnifiedUploadPaint(images.Serve("/a.png", TestImages.PatternPng(16, 16)), canvas: 32));
        Assert.Equal(200, status);
        await client.UnifiedDoneAsync(task["id"]!.GetValue<string>());
        using var scraper = host.CreateClient();
        var text = await scraper.GetStringAsync("/metrics");
        Assert.Contains("easel_engine_duration_seconds_bucket", text, StringComparison.Ordinal);

        var (exit, output) = await PromtoolAsync(text);

        // 0: parsed, no lint finding (3 would be lint findings, 1 a parse error).
        Assert.True(exit == 0, $"promtool check metrics exited {exit}: {output}");
    }

    [Fact]
    public async Task Promtool_refuses_what_the_format_forbids()
    {
        var (exit, _) = await PromtoolAsync("# TYPE a counter\na{x=\"open} 1\n");
        Assert.Equal(1, exit);
    }

    private static async Task<(int Exit, string Output)> PromtoolAsync(string exposition)
    {
        const string promtool = "/usr/bin/promtool";
        Assert.True(File.Exists(promtool), "promtool is missing: .ci/install-packages installs Debian's prometheus package");
        using var process = Process.Start(new ProcessStartInfo(promtool, ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [Theory]
    [InlineData("# TYPE a counter\n# TYPE a counter\na 1\n", "a second TYPE")]
    [InlineData("a 1\n", "undeclared")]
    [InlineData("# TYPE a counter\na 1\n# HELP a late\n", "after the samples")]
    [InlineData("# TYPE a counter\na{x=\"1\"} 1\na{x=\"1\"} 2\n", "duplicate series")]
    [InlineData("# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na{x=\"2\"} 1\n", "not contiguous")]
    [InlineData("# TYPE a gauge\na{x=\"bad\\t\"} 1\n", "invalid escape")]
    [InlineData("# TYPE a gauge\na{x=\"open} 1\n", "unterminated")]
    [InlineData("# TYPE a gauge\na{__x=\"1\"} 1\n", "invalid label name")]
    [InlineData("# TYPE a counter\na -1\n", "negative")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n", "not cumulative")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 3\nh_sum 1\nh_count 2\n", "_count is 2")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_sum 1\nh_count 2\n", "+Inf")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "increasing le")]
    [InlineData("# TYPE a gauge\na one\n", "invalid value")]
    [InlineData("# TYPE a gauge\na 1", "line feed")]
    public void The_format_checker_refuses_what_the_format_forbids(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => PrometheusExposition.Parse(text));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
