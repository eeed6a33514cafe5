using Easel.Core.Tasks;

namespace Easel.Engines.Upstream;

/// <summary>Wakes this node's poller: a job was accepted or resumed here, or a wake-up arrived for one of its jobs.</summary>
public sealed class UpstreamSignal : Signal;
