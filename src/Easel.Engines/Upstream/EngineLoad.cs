using System.Collections.Concurrent;

namespace Easel.Engines.Upstream;

/// <summary>
/// How many tasks this node has on each upstream engine, for its MaxInFlight and the in-flight gauge: the count of
/// waiting tasks last read from the store (which also sees tasks cancelled or taken over meanwhile), plus the
/// submissions taken since, minus the jobs this node finished since. Approximate by at most what races one refresh
/// (every third of a lease), never drifting.
/// </summary>
public sealed class EngineLoad
{
    private volatile IReadOnlyDictionary<string, int> _stored = new Dictionary<string, int>();
    private readonly ConcurrentDictionary<string, int> _since = new(StringComparer.Ordinal);

    public int Of(string engine) => (_stored.TryGetValue(engine, out var stored) ? stored : 0) + (_since.TryGetValue(engine, out var since) ? since : 0);

    /// <summary>Every engine's count, for the in-flight gauge.</summary>
    public IReadOnlyDictionary<string, int> Snapshot() =>
        _stored.Keys.Concat(_since.Keys).Distinct(StringComparer.Ordinal).ToDictionary(e => e, Of, StringComparer.Ordinal);

    /// <summary>Takes a place for a submission about to be sent; false when the engine is full.</summary>
    public bool TryTake(string engine, int maxInFlight)
    {
        if (Of(engine) >= maxInFlight)
        {
            return false;
        }
        _since.AddOrUpdate(engine, 1, (_, n) => n + 1);
        return true;
    }

    /// <summary>A submission that was not accepted, or a job this node finished, gives its place back.</summary>
    public void Release(string engine) => _since.AddOrUpdate(engine, -1, (_, n) => n - 1);

    /// <summary>The store's count, read by the poller: the places taken since are in it now.</summary>
    public void Refresh(IReadOnlyDictionary<string, int> stored)
    {
        _since.Clear();
        _stored = stored;
    }
}
