using Easel.Core.Blobs;
using Easel.Core.Engines;
using Easel.Core.Engines.Upstream;
using Easel.Core.Outbound;
using Easel.Engines.Local;
using Easel.Engines.Passthrough;
using Easel.Engines.Upstream;
using Easel.Imaging;
using Microsoft.Extensions.DependencyInjection;

namespace Easel.Engines;

public static class EnginesServiceCollectionExtensions
{
    /// <summary>
    /// The engines of Easel:Engines (API.md section 10), checked here so a bad entry stops the start with its name; with
    /// no entries, the one engine Easel:Engine names ("local", the default, or "passthrough"), as before engines were
    /// configuration. The upstream machinery (jobs, poller, links) is registered either way: the runner asks it whether
    /// a claimed task has an upstream job to resume.
    /// </summary>
    public static IServiceCollection AddEaselEngines(this IServiceCollection services, IReadOnlyDictionary<string, EngineOptions> entries, string? legacyEngine)
    {
        ArgumentNullException.ThrowIfNull(entries);
        IReadOnlyList<EngineSetup.ConfiguredEngine> engines;
        if (entries.Count == 0)
        {
            var descriptor = legacyEngine?.ToLowerInvariant() switch
            {
                null or "" or EngineSetup.Local => LocalEngine.Descriptor,
                EngineSetup.Passthrough => PassthroughEngine.Descriptor,
                _ => throw new ArgumentException($"Easel:Engine is '{legacyEngine}'; the engines are 'local' and 'passthrough'.", nameof(legacyEngine)),
            };
            engines = [new EngineSetup.ConfiguredEngine(descriptor, new EngineOptions(), null)];
        }
        else
        {
            var (read, problems) = EngineSetup.Read(entries);
            if (problems.Count > 0)
            {
                throw new ArgumentException("The engine configuration is not usable:\n  " + string.Join("\n  ", problems), nameof(entries));
            }
            engines = read;
        }

        // The engine that computes pixels here (the runner holds an IImageEngine even when only upstreams are routed to).
        if (engines.Any(e => e.Descriptor.Type == EngineSetup.Passthrough))
        {
            services.AddSingleton<IImageEngine, PassthroughEngine>();
        }
        else
        {
            services.AddSingleton<IHoleFiller, PatchMatchFiller>();
            services.AddSingleton<IImageEngine, LocalEngine>();
        }
        services.AddSingleton(new EngineDirectory(engines.Select(e => e.Descriptor)));
        services.AddSingleton<IImageSizes, BlobImageSizes>();

        var upstreams = engines.Where(e => e.Protocol is not null).ToList();
        services.AddSingleton(new AllowedEndpoints(upstreams.Select(e => e.Options.BaseUrl!)));
        services.AddSingleton(sp =>
        {
            var built = new EngineSetup.UpstreamServices(sp.GetRequiredService<IOutboundClient>(), sp.GetRequiredService<SyncCalls>());
            return new UpstreamEngines(upstreams.Select(e => new UpstreamEngine(e.Descriptor, e.Protocol!(built),
                new UpstreamPolling(e.Options.PollInterval, e.Options.SlowPollInterval, e.Options.UseUpstreamEstimate))));
        });
        services.AddSingleton<EngineLoad>();
        services.AddSingleton<UpstreamSignal>();
        services.AddSingleton<SyncCalls>();
        services.AddSingleton<UpstreamMetrics>();
        services.AddSingleton<ResultRehosting>();
        services.AddSingleton<WebhookDeliveries>();
        services.AddSingleton<UpstreamPoller>();
        services.AddSingleton<UpstreamJobs>();
        services.AddSingleton<IUpstreamJobs>(sp => sp.GetRequiredService<UpstreamJobs>());
        return services;
    }
}
