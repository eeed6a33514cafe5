namespace Easel.Server.Hosting;

/// <summary>
/// This node's name in leases. At start a node puts back to pending the tasks leased under its name, so the name
/// must be its own: two nodes sharing one would release each other's running tasks.
/// </summary>
public sealed class NodeIdentity
{
    public NodeIdentity(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Id = id;
    }

    public string Id { get; }

    /// <summary>
    /// Easel:NodeId when set (give each node of a scale-out deployment a stable one, so after a crash it resumes its
    /// own tasks at once). Otherwise, on SQLite, the name kept in the data directory, which only this node uses:
    /// after a crash the same node knows which processing tasks were its own. On PostgreSQL the nodes share the
    /// data directory, so a file there would give them all one name: each start takes a new one instead, and the
    /// tasks of a crashed start are taken back when their leases expire.
    /// </summary>
    public static NodeIdentity For(EaselOptions options, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.NodeId))
        {
            return new NodeIdentity(options.NodeId.Trim());
        }
        if (string.Equals(options.Database.Provider, DatabaseOptions.Postgres, StringComparison.OrdinalIgnoreCase))
        {
            return new NodeIdentity(NewId());
        }
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, "node-id");
        var kept = File.Exists(path) ? File.ReadAllText(path).Trim() : "";
        if (kept.Length > 0)
        {
            return new NodeIdentity(kept);
        }
        var id = NewId();
        File.WriteAllText(path, id);
        return new NodeIdentity(id);
    }

    private static string NewId() =>
        $"node-{Environment.MachineName.ToLowerInvariant()}-{Guid.NewGuid():N}"[..Math.Min(64, 32 + Environment.MachineName.Length)];
}
