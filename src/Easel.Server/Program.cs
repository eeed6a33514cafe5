using Easel.Server.Hosting;

// The host is built in Hosting/EaselApplication.cs (its table of contents), so that `easel serve` runs the same server.
var app = EaselApplication.Build(args);
app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
