using Easel.Server.Admin;
using Easel.Server.Callbacks;
using Easel.Server.Dialects.Classic;
using Easel.Server.Dialects.Unified;
using Easel.Server.Files;
using Easel.Server.Hosting;
using Easel.Server.Observability;

var builder = WebApplication.CreateBuilder(args);
builder.UseEaselDefaultUrl();
builder.AddEaselObservability();
builder.Services.AddEasel(builder.Configuration);

var app = builder.Build();
app.UseEaselRequestTelemetry();
app.UseEaselErrors();

app.MapUnifiedDialect();
app.MapClassicDialect();
app.MapFiles();
app.MapCallbacks();
app.MapAdmin();
app.MapMetrics();
app.MapGet("/healthz", () => TypedResults.Text("ok"));

app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
