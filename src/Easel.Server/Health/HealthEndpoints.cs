using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Easel.Server.Health;

/// <summary>
/// /healthz: the process is alive and serving (for restarts). /readyz: this node can do work now (for load
/// balancers): database, data directory, workers, and not shutting down. Both without a key, and never cached.
/// </summary>
internal static class HealthEndpoints
{
    private const string ReadyTag = "ready";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static IServiceCollection AddEaselHealth(this IServiceCollection services, bool bucket)
    {
        services.AddSingleton<WorkerStates>();
        var checks = services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("database", tags: [ReadyTag])
            .AddCheck<DataDirectoryCheck>("data_directory", tags: [ReadyTag])
            .AddCheck<WorkersCheck>("workers", tags: [ReadyTag])
            .AddCheck<ShutdownCheck>("shutdown", tags: [ReadyTag]);
        if (bucket)
        {
            checks.AddCheck<BucketCheck>("bucket", tags: [ReadyTag]);
        }
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            return TypedResults.Text("ok");
        }).ExcludeFromDescription(); // probes of operators, not part of either dialect's document
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReadinessAsync,
            // The default already maps Unhealthy to 503; Degraded is not used by these checks.
        }).ExcludeFromDescription();
        return app;
    }

    private static Task WriteReadinessAsync(HttpContext http, HealthReport report)
    {
        var failing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => e.Key).ToList();
        var body = new ReadinessView(
            failing.Count == 0 ? "ready" : "not_ready",
            failing.Count == 0 ? null : failing,
            report.Entries.ToDictionary(
                e => e.Key,
                e => new CheckView(
                    e.Value.Status == HealthStatus.Healthy ? "ok" : "failing",
                    Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                    e.Value.Status == HealthStatus.Healthy ? null : e.Value.Description,
                    e.Value.Data.Count == 0 ? null : e.Value.Data)));
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }

    private sealed record ReadinessView(string Status, IReadOnlyList<string>? Failing, IReadOnlyDictionary<string, CheckView> Checks);

    private sealed record CheckView(string Status, double DurationMs, string? Reason, IReadOnlyDictionary<string, object>? Details);
}
