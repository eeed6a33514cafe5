using Easel.Server.Hosting;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;
using Microsoft.AspNetCore.Builder;

namespace Easel.Server.Tests.Health;

/// <summary>
/// `Easel.Server --healthcheck`, the container's health check (the runtime image has no curl or wget), run as the
/// real process against a real server; and the listening address the container image relies on.
/// </summary>
public sealed class HealthProbeTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_probe_exits_0_when_the_server_is_alive_and_1_when_nothing_answers()
    {
        using var server = await ServerProcess.StartAsync(_data, EaselHost.AdminKey);

        var alive = await ServerProcess.RunOnceAsync(null, "--healthcheck", $"{server.Url}/healthz");
        Assert.True(alive.ExitCode == 0, alive.Output);

        var nobody = $"http://127.0.0.1:{ServerProcess.FreePort()}/healthz";
        var dead = await ServerProcess.RunOnceAsync(null, "--healthcheck", nobody);
        Assert.Equal(1, dead.ExitCode);
        Assert.Contains($"{nobody} did not answer", dead.Output, StringComparison.Ordinal);

        var missing = await ServerProcess.RunOnceAsync(null, "--healthcheck", $"{server.Url}/no-such-path");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("answered HTTP 404", missing.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_address_the_probe_asks_the_first_port_of_ASPNETCORE_HTTP_PORTS()
    {
        using var server = await ServerProcess.StartAsync(_data, EaselHost.AdminKey);

        var alive = await ServerProcess.RunOnceAsync(new Dictionary<string, string> { ["ASPNETCORE_HTTP_PORTS"] = $"{server.Port};9" }, "--healthcheck");
        Assert.True(alive.ExitCode == 0, alive.Output);

        var other = await ServerProcess.RunOnceAsync(new Dictionary<string, string> { ["ASPNETCORE_HTTP_PORTS"] = $"{ServerProcess.FreePort()}" }, "--healthcheck");
        Assert.Equal(1, other.ExitCode);
    }

    [Theory]
    [InlineData(null, "http://localhost:5080")]
    [InlineData("--http_ports=8080", null)]
    [InlineData("--urls=http://127.0.0.1:7000", "http://127.0.0.1:7000")]
    public void The_default_address_gives_way_to_urls_and_to_the_container_image_ports(string? argument, string? urls)
    {
        var builder = WebApplication.CreateBuilder(argument is null ? [] : [argument]);
        builder.UseEaselDefaultUrl();
        Assert.Equal(urls, builder.Configuration["urls"]);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
