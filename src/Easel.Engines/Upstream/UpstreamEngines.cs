using Easel.Core.Engines;

namespace Easel.Engines.Upstream;

/// <summary>The configured upstream engines by name: each one's descriptor (for routing) and its protocol (for the wire).</summary>
public sealed class UpstreamEngines(IEnumerable<UpstreamEngine> engines)
{
    private readonly Dictionary<string, UpstreamEngine> _byName = engines.ToDictionary(e => e.Descriptor.Name, StringComparer.Ordinal);

    public UpstreamEngine? Find(string? name) => name is not null && _byName.TryGetValue(name, out var engine) ? engine : null;

    public IReadOnlyCollection<UpstreamEngine> All => _byName.Values;
}

/// <summary>One upstream engine: what it serves and how it is polled (its descriptor), and the protocol it speaks.</summary>
public sealed record UpstreamEngine(EngineDescriptor Descriptor, IUpstreamProtocol Protocol, UpstreamPolling Polling)
{
    /// <summary>
    /// Asks the upstream to stop a job, within 10 s. The refund is Easel's own and never waits for this: a cancel that
    /// fails is counted and logged, and the upstream's job runs out on its own.
    /// </summary>
    public async Task CancelQuietlyAsync(string upstreamId, string taskId, UpstreamMetrics metrics, Microsoft.Extensions.Logging.ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var sent = await Protocol.CancelAsync(upstreamId, limit.Token);
            metrics.Cancelled(Descriptor.Name, sent ? "sent" : "not_supported");
        }
        catch (Exception e) when (e is Core.Outbound.OutboundException or OperationCanceledException)
        {
            metrics.Cancelled(Descriptor.Name, "failed");
            Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(logger,
                "Cancelling job {UpstreamId} of task {TaskId} on engine {Engine} failed: {Reason}", upstreamId, taskId, Descriptor.Name, e.Message);
        }
    }
}

/// <summary>
/// When a waiting job is polled (API.md section 10): every <see cref="Interval"/> for the first minute, then every
/// <see cref="SlowInterval"/>; the first poll waits for the upstream's own estimate when it gives one and
/// <see cref="UseEstimate"/> is on (10,000 jobs of a minute each are then polled about once, not thirty times).
/// A wake-up makes the poll at once, whatever the schedule says.
/// </summary>
public sealed record UpstreamPolling(TimeSpan Interval, TimeSpan SlowInterval, bool UseEstimate)
{
    public static UpstreamPolling Default { get; } = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), UseEstimate: true);

    private static readonly TimeSpan FirstMinute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(2);

    public DateTimeOffset First(DateTimeOffset now, TimeSpan? estimate) =>
        now + (UseEstimate && estimate is { } e && e > Interval ? (e < LongestWait ? e : LongestWait) : Interval);

    public DateTimeOffset Next(DateTimeOffset submittedAt, DateTimeOffset now, TimeSpan? remaining)
    {
        var interval = now - submittedAt < FirstMinute ? Interval : SlowInterval;
        if (UseEstimate && remaining is { } r && r > interval)
        {
            interval = r < LongestWait ? r : LongestWait;
        }
        return now + interval;
    }
}
