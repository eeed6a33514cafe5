using System.Diagnostics.Metrics;
using Easel.Core.Observability;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Easel.Server.Observability;

/// <summary>
/// The OpenTelemetry SDK: the Easel meters, always, for /metrics (its Prometheus exporter) and, when an OTLP
/// endpoint is configured, for OTLP; traces (requests, outbound calls, task stages) only when an OTLP endpoint for
/// them is configured, so a server nobody collects from does no tracing work at all. Everything else is the SDK's
/// own reading of the standard OTEL_* variables (service name, resource, headers, timeouts, batch and export
/// intervals, sampler), which the SDK reads from configuration, environment included.
/// </summary>
internal static class Telemetry
{
    /// <summary>
    /// The root sampling ratio when neither OTEL_TRACES_SAMPLER nor its argument is set: parent-based, so a request that arrives with a
    /// sampled traceparent is traced, and one task is traced whole or not at all (its stages follow the decision
    /// stored with it); one in ten of the rest. Enough to see every route and task kind within minutes of normal
    /// traffic, at a tenth of the cost of tracing all (docs/PERFORMANCE.md, "Telemetry").
    /// </summary>
    public const double DefaultSamplingRatio = 0.1;

    // Probes and scrapes every few seconds would be most of the traces and tell nothing.
    private static readonly HashSet<string> Untraced = new(StringComparer.OrdinalIgnoreCase) { "/healthz", "/readyz", "/metrics" };

    public static void AddEaselTelemetry(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var otlpTraces = Exported(config, "TRACES");
        var otlpMetrics = Exported(config, "METRICS");
        var otel = builder.Services.AddOpenTelemetry();
        otel.ConfigureResource(resource =>
        {
            // OTEL_SERVICE_NAME (or service.name in OTEL_RESOURCE_ATTRIBUTES) wins; the SDK reads both by itself.
            if (string.IsNullOrWhiteSpace(config["OTEL_SERVICE_NAME"])
                && !(config["OTEL_RESOURCE_ATTRIBUTES"] ?? "").Contains("service.name=", StringComparison.Ordinal))
            {
                resource.AddService("easel", serviceVersion: typeof(Telemetry).Assembly.GetName().Version?.ToString());
            }
        });
        otel.WithMetrics(metrics =>
        {
            metrics.AddMeter(EaselMetrics.MeterName);
            // Collected at each scrape (no cache): the queue gauges are refreshed just before, and a scrape right
            // after a change must see it.
            metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
            if (otlpMetrics)
            {
                metrics.AddOtlpExporter(DefaultToHttp(config, "METRICS"));
            }
        });
        builder.Services.ConfigureOpenTelemetryMeterProvider((services, metrics) =>
        {
            // Only this host's meters: the provider listens by meter name, process-wide, and several hosts share a
            // process in the tests (and in anything that embeds Easel). Easel's meters come from the host's IMeterFactory.
            var factory = services.GetRequiredService<IMeterFactory>();
            metrics.AddView(instrument => ReferenceEquals(instrument.Meter.Scope, factory) ? null : MetricStreamConfiguration.Drop);
        });
        if (!otlpTraces)
        {
            return;
        }
        var ratio = DefaultRatio(config["OTEL_TRACES_SAMPLER_ARG"]);
        otel.WithTracing(tracing =>
        {
            tracing.AddSource(EaselTracing.SourceName);
            tracing.AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = http => !Untraced.Contains(http.Request.Path.Value ?? ""));
            // Image fetches and callbacks: the guarded client's HttpClient (the OTLP exporter's own calls are not traced).
            tracing.AddHttpClientInstrumentation();
            if (string.IsNullOrWhiteSpace(config["OTEL_TRACES_SAMPLER"]))
            {
                tracing.SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio)));
            }
            tracing.AddOtlpExporter(DefaultToHttp(config, "TRACES"));
        });
    }

    /// <summary>
    /// The default sampler's ratio: OTEL_TRACES_SAMPLER_ARG when it is a ratio (an operator who sets only the argument
    /// means the default sampler's), else <see cref="DefaultSamplingRatio"/>. Anything else is refused at start, as the
    /// SDK would silently fall back.
    /// </summary>
    internal static double DefaultRatio(string? argument)
    {
        if (string.IsNullOrWhiteSpace(argument))
        {
            return DefaultSamplingRatio;
        }
        return double.TryParse(argument, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ratio) && ratio is >= 0 and <= 1
            ? ratio
            : throw new InvalidOperationException($"OTEL_TRACES_SAMPLER_ARG is \"{argument}\"; it must be a ratio from 0 to 1");
    }

    /// <summary>
    /// A signal goes to OTLP when an endpoint is configured for it (OTEL_EXPORTER_OTLP_ENDPOINT, or the signal's own
    /// OTEL_EXPORTER_OTLP_{SIGNAL}_ENDPOINT) and OTEL_{SIGNAL}_EXPORTER is not "none". Nothing set: no export.
    /// </summary>
    internal static bool Exported(IConfiguration config, string signal) =>
        (!string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_ENDPOINT"]) || !string.IsNullOrWhiteSpace(config[$"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"]))
        && !string.Equals(config[$"OTEL_{signal}_EXPORTER"], "none", StringComparison.OrdinalIgnoreCase)
        && !string.Equals(config["OTEL_SDK_DISABLED"], "true", StringComparison.OrdinalIgnoreCase);

    // The .NET exporter defaults to gRPC; the specification's default, and what collectors listen for on 4318, is
    // HTTP with protobuf. An explicit OTEL_EXPORTER_OTLP_[SIGNAL_]PROTOCOL stands.
    private static Action<OtlpExporterOptions> DefaultToHttp(ConfigurationManager config, string signal)
    {
        var chosen = !string.IsNullOrWhiteSpace(config["OTEL_EXPORTER_OTLP_PROTOCOL"]) || !string.IsNullOrWhiteSpace(config[$"OTEL_EXPORTER_OTLP_{signal}_PROTOCOL"]);
        return otlp =>
        {
            if (!chosen)
            {
                otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
            }
        };
    }
}
