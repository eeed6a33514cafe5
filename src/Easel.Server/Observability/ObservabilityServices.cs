using Easel.Server.Auth;
using Easel.Server.Dialects.Unified;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Easel.Server.Observability;

/// <summary>Logs, request ids and metrics: the wiring Program.cs names in one line each.</summary>
internal static class ObservabilityServices
{
    /// <summary>
    /// Console logs as readable single lines, or JSON lines with Easel:Logging:Format=json (the built-in
    /// Logging:Console:FormatterName=json works too); the queue gauges, and the OpenTelemetry SDK (metrics, and traces when OTLP is configured: see Telemetry).
    /// </summary>
    public static WebApplicationBuilder AddEaselObservability(this WebApplicationBuilder builder)
    {
        // Defaults beneath every other source (appsettings.json is read from the working directory, which a
        // service manager may set anywhere): our one line per request replaces ASP.NET Core's request logging,
        // and without its scope a JSON line carries one RequestId, ours.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "None",
            },
        });
        var logging = builder.Configuration.GetSection(LoggingOptions.Section).Get<LoggingOptions>() ?? new LoggingOptions();
        if (!logging.Format.Equals("text", StringComparison.OrdinalIgnoreCase) && !logging.Format.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{LoggingOptions.Section}:Format is \"{logging.Format}\"; it must be \"text\" or \"json\"");
        }
        if (logging.Format.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
            builder.Services.Configure<ConsoleLoggerOptions>(console => console.FormatterName = ConsoleFormatterNames.Json);
        }
        else
        {
            builder.Logging.AddSimpleConsole(text =>
            {
                text.SingleLine = true;
                text.UseUtcTimestamp = true;
                text.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }

        builder.Services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section);
        builder.Services.AddSingleton<TaskQueueGauges>();
        builder.AddEaselTelemetry();
        return builder;
    }

    /// <summary>Request ids and the per-request log line and histogram. First in the pipeline, so it sees the final status.</summary>
    public static IApplicationBuilder UseEaselRequestTelemetry(this IApplicationBuilder app) => app.UseMiddleware<RequestTelemetry>();

    /// <summary>GET /metrics in the Prometheus text format, by OpenTelemetry's exporter.</summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        // The meter provider now, not at the first scrape: it must be listening before the first request or task.
        _ = app.ServiceProvider.GetRequiredService<MeterProvider>();
        var queue = app.ServiceProvider.GetRequiredService<TaskQueueGauges>();
        // An observable gauge's callback cannot wait for the database: the store is read first, then collected.
        var endpoint = app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: scrape => scrape.Use(async (http, next) =>
        {
            await queue.RefreshAsync(http.RequestAborted);
            await next(http);
        }), optionsName: null).ExcludeFromDescription(); // for operators' scrapers, not part of either dialect's document
        if (app.ServiceProvider.GetRequiredService<IOptions<MetricsOptions>>().Value.RequireAdminKey)
        {
            endpoint.RequireApiKey(UnifiedErrors.Instance, adminOnly: true);
        }
        return app;
    }
}
