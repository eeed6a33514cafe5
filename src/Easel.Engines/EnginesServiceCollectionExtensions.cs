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
        return services;
    }
}
