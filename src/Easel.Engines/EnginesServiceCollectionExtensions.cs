using Easel.Core.Blobs;
using Easel.Core.Engines;
using Easel.Engines.Local;
using Easel.Imaging;
using Microsoft.Extensions.DependencyInjection;

namespace Easel.Engines;

public static class EnginesServiceCollectionExtensions
{
    /// <summary>
    /// The local engine with the patch-based content-aware fill (<see cref="PatchMatchFiller"/>; it is thread-safe,
    /// so one instance serves the four variants a task paints in parallel).
    /// </summary>
    public static IServiceCollection AddEaselLocalEngine(this IServiceCollection services)
    {
        services.AddSingleton<IHoleFiller, PatchMatchFiller>();
        services.AddSingleton<IImageEngine, LocalEngine>();
        return services.AddEngineDirectory(LocalEngine.Descriptor);
    }

    /// <summary>The engine named by configuration: "local" (the default) or "passthrough" (for benchmarks of the task system).</summary>
    public static IServiceCollection AddEaselEngine(this IServiceCollection services, string? name)
    {
        switch (name?.ToLowerInvariant())
        {
            case null or "" or "local":
                return services.AddEaselLocalEngine();
            case "passthrough":
                return services.AddSingleton<IImageEngine, Passthrough.PassthroughEngine>().AddEngineDirectory(Passthrough.PassthroughEngine.Descriptor);
            default:
                throw new ArgumentException($"Easel:Engine is '{name}'; the engines are 'local' and 'passthrough'.", nameof(name));
        }
    }

    // The engines configured here and what they can do; the image-size reader the create checks use.
    private static IServiceCollection AddEngineDirectory(this IServiceCollection services, EngineDescriptor engine)
    {
        services.AddSingleton(engine);
        services.AddSingleton<EngineDirectory>();
        services.AddSingleton<IImageSizes, BlobImageSizes>();
        return services;
    }
}
