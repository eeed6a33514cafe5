using Easel.Engines.Upstream;

namespace Easel.Bench.Relay;

/// <summary>
/// One upstream protocol in the relay benchmark: its fake (answering at once), the engine entry that points Easel at
/// it, and the call a client would make straight to the fake for the same imagine: the reference of the same run.
/// </summary>
internal abstract class RelayCase : IAsyncDisposable
{
    public abstract string Type { get; }

    /// <summary>Starts the fake; its base URL.</summary>
    public abstract Task<string> StartAsync();

    public abstract string ApiKey { get; }

    /// <summary>The engine's further settings beyond Type, BaseUrl and ApiKey, by their keys under the engine ("Options:Width").</summary>
    public virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    /// <summary>
    /// The imagine done straight on the fake, as a client of that protocol would do it, until it holds the results:
    /// the URLs (or data: URLs) Easel would re-host.
    /// </summary>
    public abstract Task<IReadOnlyList<Uri>> DirectAsync(HttpClient http, string prompt);

    /// <summary>
    /// The reference re-hosting of what <see cref="DirectAsync"/> returned, done as Easel re-hosts this protocol's results:
    /// by default each image fetched, checked and stored.
    /// </summary>
    public virtual Task RehostAsync(ResultRehosting rehosting, IReadOnlyList<Uri> results) =>
        rehosting.RehostAsync(results, CancellationToken.None);

    /// <summary>When the fake read its latest submission (a Stopwatch timestamp; 0 before the first).</summary>
    public abstract long LastArrival { get; }

    public abstract ValueTask DisposeAsync();
}
