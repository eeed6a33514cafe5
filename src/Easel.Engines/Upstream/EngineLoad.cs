using System.Collections.Concurrent;

namespace Easel.Engines.Upstream;

/// <summary>
/// How many tasks this node has on each upstream engine, for its MaxInFlight and the in-flight gauge: the count of
/// waiting tasks last read from the store (which also sees tasks cancelled or taken over meanwhile), plus the
/// submissions out now, plus the jobs accepted since that read, minus the jobs this node finished since. A refresh
/// takes off only what was counted before its read began, so a submission out during the read, or accepted while the
/// read was under way, is never lost; the count is off by at most what raced one read (every third of a lease),
/// and never drifts.
/// </summary>
public sealed class EngineLoad
{
    private volatile IReadOnlyDictionary<string, int> _stored = new Dictionary<string, int>();

    // Taken, the upstream's answer not yet known: in no read of the store until it is accepted.
    private readonly ConcurrentDictionary<string, int> _submitting = new(StringComparer.Ordinal);

    // Accepted minus finished since the reads they precede: a refresh subtracts what it saw before its read.
    private readonly ConcurrentDictionary<string, int> _since = new(StringComparer.Ordinal);

    public int Of(string engine) => Get(_stored, engine) + Get(_submitting, engine) + Get(_since, engine);

    /// <summary>Every engine's count, for the in-flight gauge.</summary>
    public IReadOnlyDictionary<string, int> Snapshot() =>
        _stored.Keys.Concat(_submitting.Keys).Concat(_since.Keys).Distinct(StringComparer.Ordinal).ToDictionary(e => e, Of, StringComparer.Ordinal);

    /// <summary>Takes a place for a submission about to be sent; false when the engine is full.</summary>
    public bool TryTake(string engine, int maxInFlight)
    {
        if (Of(engine) >= maxInFlight)
        {
            return false;
        }
        Add(_submitting, engine, 1);
        return true;
    }

    /// <summary>The submission was accepted: its place is a waiting job's now, which the store's next read counts.</summary>
    public void Accepted(string engine)
    {
        Add(_submitting, engine, -1);
        Add(_since, engine, 1);
    }

    /// <summary>A submission that was not accepted gives its place back.</summary>
    public void GiveBack(string engine) => Add(_submitting, engine, -1);

    /// <summary>A job this node finished gives its place back.</summary>
    public void Release(string engine) => Add(_since, engine, -1);

    /// <summary>Taken just before the store is read: what that read will already reflect.</summary>
    public IReadOnlyDictionary<string, int> BeforeRead() => new Dictionary<string, int>(_since, StringComparer.Ordinal);

    /// <summary>The store's count, read after <paramref name="beforeRead"/> was taken: the changes up to then are in it.</summary>
    public void Refresh(IReadOnlyDictionary<string, int> stored, IReadOnlyDictionary<string, int> beforeRead)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(beforeRead);
        foreach (var (engine, counted) in beforeRead)
        {
            Add(_since, engine, -counted);
        }
        _stored = stored;
    }

    private static int Get(IReadOnlyDictionary<string, int> counts, string engine) => counts.TryGetValue(engine, out var n) ? n : 0;

    private static void Add(ConcurrentDictionary<string, int> counts, string engine, int n) => counts.AddOrUpdate(engine, n, (_, m) => m + n);
}
