using Easel.Server.Admin;
using Easel.Server.Callbacks;
using Easel.Server.Dialects.Classic;
using Easel.Server.Dialects.Unified;
using Easel.Server.Files;
using Easel.Server.Health;
using Easel.Server.Hosting;

if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.UseEaselDefaultUrl();
builder.Services.AddEasel(builder.Configuration);

var app = builder.Build();
app.UseEaselErrors();

app.MapUnifiedDialect();
app.MapClassicDialect();
app.MapFiles();
app.MapCallbacks();
app.MapAdmin();
app.MapHealth();

await app.RunAsync();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
