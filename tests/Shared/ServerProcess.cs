using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Easel.Testing;

/// <summary>
/// Easel as a real operating-system process (the Easel.Server.dll built beside the tests): a test can kill it
/// with SIGKILL (or stop it with SIGTERM) and start it again on the same data directory, or drive it over loopback HTTP as a client would.
/// Compiled into each test project that needs it (tests/Shared).
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, int port, string adminKey)
    {
        _process = process;
        Port = port;
        AdminKey = adminKey;
    }

    public string AdminKey { get; }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts Easel on a free port, or on <paramref name="port"/> (a restart that must keep the URLs it gave out). A free
    /// port is found by binding and releasing it, so another process of the test run may take it first: such a start is
    /// tried again on another port, twice at most.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string dataDirectory, string adminKey, IDictionary<string, string>? settings = null, int? port = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnAsync(dataDirectory, adminKey, settings, port ?? FreePort());
            }
            catch (InvalidOperationException e) when (port is null && attempt < 3 && e.Message.Contains("address already in use", StringComparison.Ordinal))
            {
                // The released port was taken meanwhile: another one.
            }
        }
    }

    private static async Task<ServerProcess> StartOnAsync(string dataDirectory, string adminKey, IDictionary<string, string>? settings, int port)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Easel.Server.dll"), "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["Easel__DataDirectory"] = dataDirectory;
        start.Environment["Easel__BootstrapKey"] = adminKey;
        start.Environment["Easel__Outbound__AllowPrivateNetworks"] = "true";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start)!;
        var server = new ServerProcess(process, port, adminKey);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilServingAsync();
        }
        catch
        {
            // A start that never serves must not leave a server holding the data directory and database connections.
            server.Dispose();
            throw;
        }
        return server;
    }

    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key ?? AdminKey);
        return client;
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly as when the machine loses the process.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as an orchestrator sends to stop a node: the graceful shutdown runs. Returns at once.</summary>
    public void Terminate()
    {
        const int SigTerm = 15;
        if (NativeMethods.Kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed with errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Waits for the process to end by itself; its exit code, or a TimeoutException with its output.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Easel did not exit within {timeout}:\n{Output}");
        }
        return _process.ExitCode;
    }

    /// <summary>Runs Easel.Server.dll with these arguments to its end (for its one-shot modes); exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunOnceAsync(IDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Easel.Server.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static class NativeMethods
    {
        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
        internal static extern int Kill(int pid, int signal);
    }

    private async Task WaitUntilServingAsync()
    {
        using var client = new HttpClient { BaseAddress = new Uri(Url) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Easel exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                using var response = await client.GetAsync("/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Easel did not start:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>A loopback port nothing listens on (bound and released at once).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }
        _process.Dispose();
    }
}
