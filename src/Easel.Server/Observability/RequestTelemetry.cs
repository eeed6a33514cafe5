using System.Diagnostics.Metrics;
using Easel.Core.Observability;
using Easel.Server.Auth;
using Microsoft.AspNetCore.Diagnostics;

namespace Easel.Server.Observability;

/// <summary>
/// Outermost middleware: gives each request its id (X-Request-Id, in and out), and when it ends writes ONE log
/// line (method, route, status, elapsed ms, request id, account id) and records the same elapsed time in the
/// request-duration histogram. One measurement feeds both, so the log and the metrics agree; and our own
/// histogram carries only method, route and status (ASP.NET Core's http.server.request.duration adds scheme,
/// protocol and error labels, more series than an operator asked for, and would need a second stopwatch for the log).
/// </summary>
internal sealed class RequestTelemetry
{
    // Seconds; most API calls take milliseconds, uploads and slow image hosts take seconds.
    private static readonly double[] Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    // Probes poll every few seconds: their lines go to Debug so they do not drown the requests that matter.
    private static readonly HashSet<string> ProbeRoutes = new(StringComparer.Ordinal) { "/healthz", "/readyz", "/metrics" };

    private readonly RequestDelegate _next;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Histogram<double> _duration;

    public RequestTelemetry(RequestDelegate next, EaselMetrics metrics, ILoggerFactory loggers, TimeProvider time)
    {
        _next = next;
        _logger = loggers.CreateLogger("Easel.Requests");
        _time = time;
        _duration = metrics.Meter.CreateHistogram("easel.http.request.duration", "s",
            "HTTP requests by method, route template and status, and how long they took",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
    }

    public async Task InvokeAsync(HttpContext http)
    {
        var requestId = RequestIds.Accept(http.Request.Headers[RequestIds.Header].ToString());
        RequestIds.Set(http, requestId);
        http.TraceIdentifier = requestId;
        http.Response.Headers[RequestIds.Header] = requestId;
        var started = _time.GetTimestamp();
        var failed = true;
        using (_logger.BeginScope(new RequestScope(requestId)))
        {
            try
            {
                await _next(http);
                failed = false;
            }
            finally
            {
                // An exception that got past the error handler still ends as a 500 for the client.
                var status = failed && !http.Response.HasStarted ? StatusCodes.Status500InternalServerError : http.Response.StatusCode;
                Finish(http, requestId, status, _time.GetElapsedTime(started));
            }
        }
    }

    private void Finish(HttpContext http, string requestId, int status, TimeSpan elapsed)
    {
        // The route template, never the path: paths carry file names, which are capabilities, and any text a
        // client invents (one series per invented path would have no end).
        var route = RouteOf(http);
        _duration.Record(elapsed.TotalSeconds,
            new KeyValuePair<string, object?>("method", http.Request.Method),
            new KeyValuePair<string, object?>("route", route),
            new KeyValuePair<string, object?>("status", status));
        var level = ProbeRoutes.Contains(route) ? LogLevel.Debug : LogLevel.Information;
        if (_logger.IsEnabled(level))
        {
            _logger.Log(level, "{Method} {Route} {Status} in {ElapsedMs} ms request {RequestId} account {AccountId}",
                http.Request.Method, route, status, Math.Round(elapsed.TotalMilliseconds, 2), requestId, http.TryCaller()?.Account.Id ?? "-");
        }
    }

    private static string RouteOf(HttpContext http)
    {
        // The exception handler clears the endpoint before it re-executes; the failed one is kept on its feature.
        var endpoint = http.GetEndpoint() ?? http.Features.Get<IExceptionHandlerPathFeature>()?.Endpoint;
        return endpoint is RouteEndpoint { RoutePattern.RawText: { } template } ? Normalise(template) : "unmatched";
    }

    // A group's "/" endpoint reads "/model/v1/generation/": one spelling per route, the one clients use.
    private static string Normalise(string template)
    {
        var route = template.StartsWith('/') ? template : "/" + template;
        return route.Length > 1 ? route.TrimEnd('/') : route;
    }

    /// <summary>The scope every log line of the request carries (JSON logs include scopes).</summary>
    private sealed class RequestScope(string requestId) : IReadOnlyList<KeyValuePair<string, object>>
    {
        public KeyValuePair<string, object> this[int index] =>
            index == 0 ? new("RequestId", requestId) : throw new ArgumentOutOfRangeException(nameof(index));

        public int Count => 1;

        public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
        {
            yield return this[0];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"RequestId:{requestId}";
    }
}
