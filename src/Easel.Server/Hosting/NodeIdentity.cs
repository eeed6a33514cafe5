namespace Easel.Server.Hosting;

/// <summary>
/// This node's name in leases, kept in the data directory so that after a crash the same node knows which
/// processing tasks were its own and can put them back to pending at once, rather than wait for leases to expire.
/// </summary>
public sealed class NodeIdentity
{
    public NodeIdentity(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "node-id");
        if (File.Exists(path))
        {
            Id = File.ReadAllText(path).Trim();
        }
        if (string.IsNullOrEmpty(Id))
        {
            Id = $"node-{Environment.MachineName.ToLowerInvariant()}-{Guid.NewGuid():N}"[..Math.Min(64, 32 + Environment.MachineName.Length)];
            File.WriteAllText(path, Id);
        }
    }

    public string Id { get; } = "";
}
