using System.Diagnostics;
using System.Text;
using Easel.Cli.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Cli.Tests;

/// <summary>
/// <c>easel serve</c> as a real process (easel.dll built beside the tests): it serves the whole API with the
/// configuration given on its command line, and stops cleanly on SIGTERM.
/// </summary>
public sealed class ServeVerbTests : IDisposable
{
    private const string AdminKey = "serve-test-admin-key-0123456789abcdef";
    private readonly string _data = Directory.CreateTempSubdirectory("easel-cli-serve-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private static Process Start(StringBuilder output, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "easel.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    [Fact]
    public async Task Serve_runs_the_server_with_its_options_and_passed_on_settings_and_stops_on_SIGTERM_with_exit_0()
    {
        var port = ServerProcess.FreePort();
        var url = $"http://127.0.0.1:{port}";
        var output = new StringBuilder();
        using var process = Start(output, "serve", "--urls", url, "--data-dir", _data, "--workers", "1", "--engine", "passthrough", "--json",
            $"--Easel:BootstrapKey={AdminKey}", "--Easel:Outbound:AllowPrivateNetworks=true");
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                Assert.False(process.HasExited, $"easel serve exited with {(process.HasExited ? process.ExitCode : 0)}:\n{output}");
                try
                {
                    using var health = await http.GetAsync("/healthz");
                    if (health.IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                Assert.True(DateTime.UtcNow < deadline, $"easel serve did not start:\n{output}");
                await Task.Delay(100);
            }

            // The bootstrap key came through as configuration; the data directory is the one given.
            var account = await EaselCli.RunAsync("account", "--json", "--url", url, "--key", AdminKey);
            Assert.True(account.ExitCode == 0, account.ToString());
            Assert.True(account.Json.RootElement.GetProperty("is_admin").GetBoolean());
            Assert.NotEmpty(Directory.GetFiles(_data, "*.db*", SearchOption.AllDirectories));

            using (Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            {
            }
            await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}:\n{output}");

            // --json: the server's log lines are JSON objects, the request line among them.
            var logLines = output.ToString().Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('{')).ToList();
            Assert.Contains(logLines, line =>
            {
                using var entry = System.Text.Json.JsonDocument.Parse(line);
                return entry.RootElement.GetProperty("Category").GetString() == "Easel.Requests";
            });
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Serve_with_invalid_configuration_exits_2_and_says_what_is_wrong()
    {
        var output = new StringBuilder();
        using var process = Start(output, "serve", "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}", "--data-dir", _data, "--workers", "0");

        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);

        Assert.True(process.ExitCode == 2, $"exit {process.ExitCode}:\n{output}");
        Assert.Contains("Workers", output.ToString());
    }

    [Fact]
    public async Task Serve_on_an_address_in_use_exits_10_and_says_it_cannot_listen()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var output = new StringBuilder();
        using var process = Start(output, "serve", "--urls", $"http://127.0.0.1:{port}", "--data-dir", _data);

        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);

        Assert.True(process.ExitCode == 10, $"exit {process.ExitCode}:\n{output}");
        Assert.Contains("error: cannot listen", output.ToString());
    }
}
