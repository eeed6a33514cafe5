using Easel.Server.Admin;
using Easel.Server.Callbacks;
using Easel.Server.Dialects.Classic;
using Easel.Server.Dialects.Unified;
using Easel.Server.Files;
using Easel.Server.Hosting;
using Easel.Server.OpenApi;

var builder = WebApplication.CreateBuilder(args);
builder.UseEaselDefaultUrl();
builder.Services.AddEasel(builder.Configuration);
builder.Services.AddEaselOpenApi();

var app = builder.Build();
app.UseEaselErrors();
app.UseDocsPage();

app.MapUnifiedDialect();
app.MapClassicDialect();
app.MapFiles();
app.MapCallbacks();
app.MapAdmin();
app.MapOpenApiDocuments();
app.MapGet("/healthz", () => TypedResults.Text("ok")).ExcludeFromDescription();

app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
