using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;

/// <summary>
/// The two maintained Prometheus exporters Easel could serve /metrics with, measured side by side in one process on
/// instruments shaped like Easel's (the request histogram: 13 buckets, method/route/status labels; a counter):
/// what a measurement costs on the request path with each listening (and with none), what a scrape of the same
/// series costs over loopback HTTP, and which names each gives Easel's instruments.
/// </summary>
internal static class MetricsCommand
{
    private static readonly double[] Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public static async Task<int> RunAsync(Dictionary<string, string> options)
    {
        var records = Int(options, "records", 2_000_000);
        var scrapes = Int(options, "scrapes", 300);
        var routes = Int(options, "routes", 20); // x 5 statuses x 2 methods label sets

        Console.WriteLine($"== recording: {records:N0} histogram records + as many counter adds, {routes * 10} label sets, one thread (ns per record+add)");
        var results = new Dictionary<string, List<double>>();
        for (var round = 0; round < 3; round++)
        {
            foreach (var config in new[] { "none", "opentelemetry", "prometheus-net" })
            {
                var ns = Record(config, $"Bench.Record.{config}.{round}", records, routes);
                (results.TryGetValue(config, out var list) ? list : results[config] = []).Add(ns);
            }
        }
        foreach (var (config, ns) in results)
        {
            Console.WriteLine($"  {config,-16} {ns.Min(),8:F1} ns (best of {ns.Count}; all: {string.Join(" ", ns.Select(n => n.ToString("F1", CultureInfo.InvariantCulture)))})");
        }

        Console.WriteLine($"== scrapes over loopback HTTP: the same {routes * 10} histogram series + counter, {scrapes} scrapes each, alternating");
        await ScrapeAsync(scrapes, routes);
        return 0;
    }

    private static double Record(string config, string meterName, int records, int routes)
    {
        using var meter = new Meter(meterName);
        var histogram = meter.CreateHistogram("easel.http.request.duration", "s", "HTTP requests",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
        var counter = meter.CreateCounter<long>("easel.tasks.created", "{task}", "Tasks created");
        using IDisposable? listener = config switch
        {
            "opentelemetry" => Sdk.CreateMeterProviderBuilder().AddMeter(meterName).AddPrometheusExporter().Build(),
            "prometheus-net" => PrometheusNet(Prometheus.Metrics.NewCustomRegistry(), meterName),
            _ => null,
        };
        var labels = LabelSets(routes);

        // Warm-up: every series exists before the clock starts, as on a server that has run a while.
        for (var i = 0; i < labels.Length * 4; i++)
        {
            Measure(histogram, counter, labels[i % labels.Length], i);
        }
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < records; i++)
        {
            Measure(histogram, counter, labels[i % labels.Length], i);
        }
        return clock.Elapsed.TotalNanoseconds / records;
    }

    private static void Measure(Histogram<double> histogram, Counter<long> counter, (string Method, string Route, int Status) l, int i)
    {
        histogram.Record((i % 997) / 1000.0,
            new KeyValuePair<string, object?>("method", l.Method),
            new KeyValuePair<string, object?>("route", l.Route),
            new KeyValuePair<string, object?>("status", l.Status));
        counter.Add(1, new KeyValuePair<string, object?>("operation", l.Route));
    }

    private static (string Method, string Route, int Status)[] LabelSets(int routes) =>
        [.. from r in Enumerable.Range(0, routes) from status in new[] { 200, 201, 400, 404, 500 } from method in new[] { "GET", "POST" }
            select (method, $"/v1/route{r}/{{id}}", status)];

    private static async Task ScrapeAsync(int scrapes, int routes)
    {
        const string meterName = "Easel";
        // The instruments first, then the listeners, as in Easel (its meters exist before the first scrape).
        using var meter = new Meter(meterName);
        var histogram = meter.CreateHistogram("easel.http.request.duration", "s", "HTTP requests",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
        var counter = meter.CreateCounter<long>("easel.tasks.created", "{task}", "Tasks created");
        var engine = meter.CreateHistogram<double>("easel.engine.duration", "s", "Engine time");
        meter.CreateObservableGauge("easel.tasks.pending", () => 3.0, "{task}", "Queue depth");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(meterName).AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        var registry = Prometheus.Metrics.NewCustomRegistry();
        using var adapter = PrometheusNet(registry, meterName);
        await using var app = builder.Build();
        app.MapPrometheusScrapingEndpoint("/otel");
        app.MapGet("/pnet", async http =>
        {
            http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await registry.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted);
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var labels = LabelSets(routes);
        for (var i = 0; i < labels.Length * 10; i++)
        {
            Measure(histogram, counter, labels[i % labels.Length], i);
        }
        engine.Record(0.5, new KeyValuePair<string, object?>("operation", "upload_paint"));

        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var times = new Dictionary<string, List<double>> { ["/otel"] = [], ["/pnet"] = [] };
        var bodies = new Dictionary<string, string>();
        for (var i = 0; i < scrapes + 10; i++)
        {
            foreach (var path in times.Keys)
            {
                var clock = Stopwatch.StartNew();
                var body = await http.GetStringAsync(path);
                if (i >= 10)
                {
                    times[path].Add(clock.Elapsed.TotalMilliseconds);
                }
                bodies[path] = body;
            }
        }
        foreach (var (path, list) in times)
        {
            list.Sort();
            var families = bodies[path].Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => $"{l.Split(' ')[2]} ({l.Split(' ')[3]})").ToList();
            Console.WriteLine($"  {(path == "/otel" ? "opentelemetry" : "prometheus-net"),-16} median {list[list.Count / 2]:F2} ms, p90 {list[list.Count * 9 / 10]:F2} ms, {bodies[path].Length:N0} bytes");
            Console.WriteLine($"  {"",-16} families: {string.Join(", ", families)}");
        }
        await app.StopAsync();
    }

    // Its metrics go to MetricFactory's registry (the process-wide default unless told), not to Registry, which only
    // gets the adapter's own gauge.
    private static IDisposable PrometheusNet(Prometheus.CollectorRegistry registry, string meterName) =>
        Prometheus.MeterAdapter.StartListening(new Prometheus.MeterAdapterOptions
        {
            Registry = registry,
            MetricFactory = Prometheus.Metrics.WithCustomRegistry(registry),
            InstrumentFilterPredicate = instrument => instrument.Meter.Name == meterName,
            ResolveHistogramBuckets = _ => Buckets,
        });

    private static int Int(Dictionary<string, string> options, string name, int fallback) =>
        options.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
