namespace Easel.Core.Engines;

/// <summary>
/// One engine as configured on this server (an entry of Easel:Engines, or the built-in local engine): its name, what
/// it can do, whether it reads prompts, and how the router treats it (API.md section 10).
/// </summary>
public sealed record EngineDescriptor(string Name, IReadOnlySet<EngineCapability> Capabilities, bool FollowsPrompts)
{
    /// <summary>The local engine's default priority: any upstream that serves an operation is tried before it.</summary>
    public const int LocalPriority = 1000;

    public const int UpstreamPriority = 100;

    /// <summary>The protocol: "local" (or "passthrough"), "unified", "classic", ...</summary>
    public string Type { get; init; } = "local";

    /// <summary>Another service computes the images; the task waits on it without a worker slot.</summary>
    public bool IsUpstream { get; init; }

    /// <summary>Lower is tried first.</summary>
    public int Priority { get; init; } = LocalPriority;

    /// <summary>Tasks this node may have on the engine at once; a full engine is skipped for the next one.</summary>
    public int MaxInFlight { get; init; } = 64;

    /// <summary>How long a task may take there before it is failed (generation_timeout) and refunded.</summary>
    public TimeSpan TaskTimeout { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// Its secondary operations name their source by this engine's own job id (the Midjourney family), so they can
    /// only run where their source ran; an engine without this takes the source image itself as input.
    /// </summary>
    public bool ChainsByJobId { get; init; }
}
