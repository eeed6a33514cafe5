using Easel.Core.Models;
using Easel.Core.Operations;

namespace Easel.Core.Engines;

/// <summary>One engine as configured on this server: its name, what it can do, whether it reads prompts.</summary>
public sealed record EngineDescriptor(string Name, IReadOnlySet<EngineCapability> Capabilities, bool FollowsPrompts);

/// <summary>
/// The seam between what a model requires (its catalog entry) and what the registered engines offer: a create is
/// accepted only if some engine here has the capability its operation needs, and GET /v1/models reports the same
/// answer. Routing among several engines (API.md section 10) will choose among <see cref="Serving"/>'s list.
/// </summary>
public sealed class EngineDirectory
{
    private readonly IReadOnlyList<EngineDescriptor> _engines;

    // The engines never change after start-up, and every create asks: each capability's list is made once.
    private readonly Dictionary<EngineCapability, IReadOnlyList<EngineDescriptor>> _serving;

    public EngineDirectory(IEnumerable<EngineDescriptor> engines)
    {
        _engines = engines.ToList();
        _serving = Enum.GetValues<EngineCapability>()
            .ToDictionary(c => c, c => (IReadOnlyList<EngineDescriptor>)_engines.Where(e => e.Capabilities.Contains(c)).ToList());
    }

    public IReadOnlyList<EngineDescriptor> Engines => _engines;

    /// <summary>The engines that have this capability, in registration order.</summary>
    public IReadOnlyList<EngineDescriptor> Serving(EngineCapability capability) =>
        _serving.TryGetValue(capability, out var serving) ? serving : [];

    /// <summary>The engines that can run this operation (its model's capability, or its variant's).</summary>
    public IReadOnlyList<EngineDescriptor> Serving(Operation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return Serving(ModelCatalog.Of(operation.Kind).CapabilityOf(operation));
    }
}
