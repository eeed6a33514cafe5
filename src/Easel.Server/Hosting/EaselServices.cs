using Easel.Core.Accounts;
using Easel.Core.Blobs;
using Easel.Core.Callbacks;
using Easel.Core.Observability;
using Easel.Server.Callbacks;
using Easel.Core.Outbound;
using Easel.Core.Pricing;
using Easel.Core.Retention;
using Easel.Server.Retention;
using Easel.Core.Tasks;
using Easel.Engines;
using Easel.Server.Health;
using Easel.Server.Http;
using Easel.Server.Tasks;
using Easel.Server.Upstream;
using Easel.Storage;
using Microsoft.Extensions.Options;

namespace Easel.Server.Hosting;

internal static class EaselServices
{
    /// <summary>Every service of one Easel node on its embedded default: SQLite and files in the data directory, the local engine.</summary>
    public static IServiceCollection AddEasel(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EaselOptions>().BindConfiguration(EaselOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.Tasks.ShutdownGracePeriod >= TimeSpan.Zero, "Easel:Tasks:ShutdownGracePeriod must not be negative")
            .ValidateOnStart();
        var configured = configuration.GetSection(EaselOptions.Section).Get<EaselOptions>() ?? new EaselOptions();
        NestedEngineOptions(configuration, configured);
        var dataDirectory = configured.DataDirectory;
        if (configured.Retention.Problem() is { } retentionProblem)
        {
            // Stops the start with the reason: a mistyped retention must not delete anything.
            throw new OptionsValidationException(nameof(RetentionOptions), typeof(RetentionOptions), [retentionProblem]);
        }

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<EaselOptions>>().Value.Outbound);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<EaselOptions>>().Value.Pricing);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<EaselOptions>>().Value.Tasks);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<EaselOptions>>().Value.Limits);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<EaselOptions>>().Value.Callbacks);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<EaselOptions>>().Value.Retention);

        services.AddEaselDatabase(configured.Database, dataDirectory);
        if (configured.Blobs.Problem() is { } blobProblem)
        {
            throw new OptionsValidationException(nameof(Storage.Blobs.BlobOptions), typeof(Storage.Blobs.BlobOptions), [blobProblem]);
        }
        services.AddEaselBlobStore(configured.Blobs, dataDirectory);
        services.AddSingleton(NodeIdentity.For(configured, Path.GetFullPath(dataDirectory)));

        services.AddSingleton<AddressPolicy>();
        services.AddSingleton<IOutboundClient, GuardedHttpClient>();
        services.AddSingleton<PriceTable>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<WorkSignal>();
        services.AddSingleton<CallbackSignal>();
        services.AddSingleton<CallbackHandoff>();
        services.AddSingleton<CallbackDispatcher>();
        services.AddSingleton<ICallbackRenderer, CallbackRenderer>();
        services.AddSingleton<RunningTasks>();
        services.AddSingleton<EaselMetrics>();
        services.AddSingleton<FinishedTasks>();
        services.AddSingleton<TaskFiles>();
        services.AddSingleton<TaskService>();
        services.AddSingleton<TaskRunner>();
        services.AddEaselEngines(configured.Engines, configured.Engine);
        services.AddSingleton<PublicUrls>();
        services.AddEaselHealth(bucket: configured.Blobs.UsesS3);

        // The host waits for the task worker's grace period, then for the callbacks in flight (each bounded by its
        // timeout), then a margin for releasing what is left; beyond that it would abandon the stop half-way.
        services.AddOptions<HostOptions>().Configure<IOptions<EaselOptions>>((host, easel) =>
            host.ShutdownTimeout = easel.Value.Tasks.ShutdownGracePeriod + easel.Value.Callbacks.Timeout + TimeSpan.FromSeconds(5));

        // Order matters: the schema and the first key exist before the worker claims or a request is served. The
        // host stops in reverse order, so the task worker drains first while the callback worker still sends.
        services.AddHostedService<EaselStartup>();
        services.AddHostedService<CallbackWorker>();
        services.AddHostedService<TaskWorker>();
        services.AddHostedService<UpstreamWorker>();
        services.AddHostedService<RetentionWorker>();
        return services;
    }

    /// <summary>The embedded SQLite file by default; PostgreSQL in scale-out mode, with cross-node wake-ups.</summary>
    private static void AddEaselDatabase(this IServiceCollection services, DatabaseOptions database, string dataDirectory)
    {
        if (database.Problem() is { } problem)
        {
            // Stops the start with the reason, before anything listens.
            throw new OptionsValidationException(nameof(DatabaseOptions), typeof(DatabaseOptions), [problem]);
        }
        if (string.Equals(database.Provider, DatabaseOptions.Postgres, StringComparison.OrdinalIgnoreCase))
        {
            services.AddEaselPostgresStorage(database.ConnectionString!, dataDirectory);
            services.AddHostedService<PostgresWakeupService>();
            services.AddHostedService<Accounts.KeyBucketSweeper>();
        }
        else
        {
            services.AddEaselSqliteStorage(dataDirectory);
        }
    }

    /// <summary>
    /// http://localhost:5080 unless --urls, ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS / _HTTPS_PORTS (set to 8080 in the
    /// container image) or Kestrel configuration say otherwise.
    /// </summary>
    public static WebApplicationBuilder UseEaselDefaultUrl(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (string.IsNullOrEmpty(configuration["urls"]) && string.IsNullOrEmpty(configuration["http_ports"])
            && string.IsNullOrEmpty(configuration["https_ports"]) && !configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls("http://localhost:5080");
        }
        return builder;
    }

    /// <summary>
    /// An engine's Options are strings by name, which the binder fills only from the section's own children; a
    /// protocol's nested options (cog's Options:Inputs:imagine:prompt) are added under their path below Options.
    /// </summary>
    private static void NestedEngineOptions(IConfiguration configuration, EaselOptions configured)
    {
        foreach (var (name, engine) in configured.Engines)
        {
            var section = configuration.GetSection($"{EaselOptions.Section}:Engines:{name}:Options");
            foreach (var (key, value) in section.AsEnumerable(makePathsRelative: true))
            {
                if (string.IsNullOrEmpty(value) && section.GetSection(key).GetChildren().Any())
                {
                    // A section, not a value: the binder's empty entry for it is no option.
                    engine.Options.Remove(key);
                }
                else if (value is not null && key.Contains(':', StringComparison.Ordinal))
                {
                    engine.Options[key] = value;
                }
            }
        }
    }
}
