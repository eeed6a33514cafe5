using Easel.Core.Engines;
using Easel.Engines.Local;
using Easel.Imaging;
using Microsoft.Extensions.DependencyInjection;

namespace Easel.Engines;

public static class EnginesServiceCollectionExtensions
{
    /// <summary>The local engine with the fast-marching fill (swap <see cref="IHoleFiller"/> for a better one).</summary>
    public static IServiceCollection AddEaselLocalEngine(this IServiceCollection services)
    {
        services.AddSingleton<IHoleFiller, FastMarchingFiller>();
        services.AddSingleton<IImageEngine, LocalEngine>();
        return services;
    }
}
