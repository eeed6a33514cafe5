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

    /// <summary>The Easel:Engines:relay:* settings (as environment variables) beyond Type, BaseUrl and ApiKey.</summary>
    public abstract string ApiKey { get; }

    public virtual IReadOnlyDictionary<string, string> Options => new Dictionary<string, string>();

    /// <summary>
    /// The imagine done straight on the fake, as a client of that protocol would do it, until it holds the results:
    /// the URLs (or data: URLs) Easel would re-host.
    /// </summary>
    public abstract Task<IReadOnlyList<Uri>> DirectAsync(HttpClient http, string prompt);

    public abstract ValueTask DisposeAsync();
}
