using System.Diagnostics.Metrics;
using Easel.Server.Observability;
using Easel.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Easel.Server.Tests.Observability;

public sealed class ExporterTests
{
    private static (ServiceProvider Services, IMeterFactory Factory, MetricsCollector Collector) NewCollector()
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        return (services, factory, new MetricsCollector(factory, NullLogger<MetricsCollector>.Instance));
    }

    [Fact]
    public void Every_kind_of_instrument_renders_as_valid_exposition_with_its_values()
    {
        var (services, factory, collector) = NewCollector();
        using var _ = services;
        using var __ = collector;
        var meter = factory.Create("Easel.Test");
        var counter = meter.CreateCounter<long>("easel.test.jobs", "{job}", "Jobs done");
        var credits = meter.CreateCounter<double>("easel.test.credits", "{credit}", "Credits");
        var inFlight = meter.CreateUpDownCounter<int>("easel.test.in-flight", description: "In flight");
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

        var text = collector.Render();
        var exposition = PrometheusExposition.Parse(text);

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

        // Observed again at the next scrape, with its new value.
        depth = 2;
        Assert.Equal(2, PrometheusExposition.Parse(collector.Render()).Value("easel_test_depth"));
    }

    [Fact]
    public void Only_this_hosts_easel_meters_are_exported()
    {
        var (services, factory, collector) = NewCollector();
        using var _ = services;
        using var __ = collector;
        using var other = new ServiceCollection().AddMetrics().BuildServiceProvider();
        other.GetRequiredService<IMeterFactory>().Create("Easel").CreateCounter<long>("easel.elsewhere").Add(1);
        using var unscoped = new Meter("Easel");
        unscoped.CreateCounter<long>("easel.unscoped").Add(1);
        factory.Create("Microsoft.AspNetCore.Hosting").CreateCounter<long>("not.ours").Add(1);
        factory.Create("Easel").CreateCounter<long>("easel.ours").Add(1);

        var exposition = PrometheusExposition.Parse(collector.Render());

        Assert.Equal(["easel_ours_total"], exposition.Families.Keys);
    }

    [Theory]
    [InlineData("easel.http.request.duration", "s", false, "easel_http_request_duration_seconds")]
    [InlineData("easel.tasks.created", "{task}", true, "easel_tasks_created_total")]
    [InlineData("easel.queue_total", null, true, "easel_queue_total")]
    [InlineData("9lives-and/more", "By", false, "_9lives_and_more_bytes")]
    [InlineData("easel.wait_seconds", "s", false, "easel_wait_seconds")]
    public void Instrument_names_become_prometheus_names(string instrument, string? unit, bool counter, string expected) =>
        Assert.Equal(expected, PrometheusText.MetricName(instrument, unit, counter));

    [Theory]
    [InlineData("http.route", "http_route")]
    [InlineData("__reserved", "x__reserved")]
    [InlineData("1st", "_1st")]
    public void Tag_names_become_label_names(string tag, string expected) => Assert.Equal(expected, PrometheusText.LabelName(tag));

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
