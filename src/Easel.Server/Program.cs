using Easel.Server.Health;
using Easel.Server.Hosting;

// A container's HEALTHCHECK runs the server's own binary as a probe of the running one.
if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync(args);
}

// The host is built in Hosting/EaselApplication.cs (its table of contents), so that `easel serve` runs the same server.
var app = EaselApplication.Build(args);
await app.RunAsync();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
