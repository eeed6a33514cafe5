using Easel.Core.Models;
using Easel.Core.Operations;

namespace Easel.Core.Engines;

/// <summary>
/// The seam between what a model requires (its catalog entry) and what the configured engines offer: a create is
/// accepted only if some engine has the capability its operation needs (and, for a secondary operation, can read its
/// source), GET /v1/models reports the same answer, and the runner tries <see cref="Route"/>'s engines in order.
/// </summary>
public sealed class EngineDirectory
{
    private readonly IReadOnlyList<EngineDescriptor> _engines;
    private readonly Dictionary<string, EngineDescriptor> _byName;

    // The engines never change after start-up, and every create asks: each capability's list is made once, in the
    // order the router tries them (priority, then configuration order).
    private readonly Dictionary<EngineCapability, IReadOnlyList<EngineDescriptor>> _serving;

    public EngineDirectory(IEnumerable<EngineDescriptor> engines)
    {
        _engines = engines.ToList();
        _byName = _engines.ToDictionary(e => e.Name, StringComparer.Ordinal);
        _serving = Enum.GetValues<EngineCapability>().ToDictionary(c => c, c => (IReadOnlyList<EngineDescriptor>)_engines
            .Where(e => e.Capabilities.Contains(c)).OrderBy(e => e.Priority).ToList());
    }

    public IReadOnlyList<EngineDescriptor> Engines => _engines;

    public EngineDescriptor? Find(string? name) => name is not null && _byName.TryGetValue(name, out var engine) ? engine : null;

    /// <summary>The engines that have this capability, lowest priority first.</summary>
    public IReadOnlyList<EngineDescriptor> Serving(EngineCapability capability) =>
        _serving.TryGetValue(capability, out var serving) ? serving : [];

    /// <summary>The engines that can run this operation (its model's capability, or its variant's).</summary>
    public IReadOnlyList<EngineDescriptor> Serving(Operation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return Serving(ModelCatalog.Of(operation.Kind).CapabilityOf(operation));
    }

    /// <summary>
    /// The engines to try for this operation, in order. A secondary operation whose source was made by an engine that
    /// chains by its own job ids can only go back to that engine (its job id names the image there); any other source is
    /// an image in Easel's storage, which only engines that take an image as input can use.
    /// </summary>
    public IReadOnlyList<EngineDescriptor> Route(Operation operation, string? sourceEngine)
    {
        var serving = Serving(operation);
        if (operation.Source is null)
        {
            return serving;
        }
        if (Find(sourceEngine) is { ChainsByJobId: true } owner)
        {
            return serving.Contains(owner) ? [owner] : [];
        }
        return serving.Where(e => !e.ChainsByJobId).ToList();
    }
}
