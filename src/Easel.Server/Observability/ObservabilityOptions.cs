namespace Easel.Server.Observability;

/// <summary>Section "Easel:Metrics".</summary>
internal sealed class MetricsOptions
{
    public const string Section = "Easel:Metrics";

    /// <summary>
    /// False (default): /metrics answers anyone, as Prometheus scrapers expect; keep it off the public internet
    /// (bind it behind the proxy, or firewall it). True: it needs an admin key (Authorization: Bearer).
    /// </summary>
    public bool RequireAdminKey { get; set; }
}

/// <summary>Section "Easel:Logging".</summary>
internal sealed class LoggingOptions
{
    public const string Section = "Easel:Logging";

    /// <summary>"text" (default: one readable line per entry) or "json" (one JSON object per line, with scopes).</summary>
    public string Format { get; set; } = "text";
}
