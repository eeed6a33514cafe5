using Easel.Server.Admin;
using Easel.Server.Callbacks;
using Easel.Server.Dialects.Classic;
using Easel.Server.Dialects.Unified;
using Easel.Server.Files;
using Easel.Server.Health;
using Easel.Server.Observability;
using Easel.Server.Models;
using Easel.Server.OpenApi;
using Easel.Server.Studio;
using Easel.Server.Upstream;

namespace Easel.Server.Hosting;

/// <summary>
/// The whole Easel server, built in one place so that <c>Program.cs</c> and <c>easel serve</c> run the very same
/// host: read as a table of contents, services first, then the pipeline and the endpoints.
/// </summary>
public static class EaselApplication
{
    /// <summary>
    /// A server configured from <paramref name="args"/> (--urls, --Easel:DataDirectory=...), the environment
    /// (ASPNETCORE_URLS, Easel__*) and appsettings.json in the working directory; started by its caller.
    /// </summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.UseEaselDefaultUrl();
        builder.UseEaselStudioFiles();
        builder.AddEaselObservability();
        builder.Services.AddEasel(builder.Configuration);
        builder.Services.AddEaselOpenApi();
        builder.Services.AddEaselStudio();

        var app = builder.Build();
        app.UseEaselRequestTelemetry();
        app.UseEaselErrors();
        app.UseDocsPage();
        app.UseEaselStudio();

        app.MapUnifiedDialect();
        app.MapClassicDialect();
        app.MapModels();
        app.MapFiles();
        app.MapCallbacks();
        app.MapUpstreamWakeUps();
        app.MapAdmin();
        app.MapMetrics();
        app.MapHealth();
        app.MapOpenApiDocuments();
        return app;
    }
}
