using Easel.Testing;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Easel.Cli.Tests.Infrastructure;

/// <summary>
/// One Easel process, with its own data directory, for every CLI test: each test makes its own accounts, so
/// no test depends on another's data, and the shared two-core machine starts one server rather than one per class.
/// </summary>
public sealed class EaselServer : IAsyncLifetime
{
    public const string AdminKey = "cli-test-admin-key-0123456789abcdef";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "easel-cli-tests-" + Guid.NewGuid().ToString("N"));
    private ServerProcess? _process;

    public string Url => _process!.Url;

    /// <summary>What the server process has printed so far (its request log among it).</summary>
    public string Log => _process!.Output;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataDirectory);
        // The workers are not under test here; one keeps the shared machine quiet.
        _process = await ServerProcess.StartAsync(_dataDirectory, AdminKey, new Dictionary<string, string> { ["Easel__Workers"] = "1" });
    }

    public Task DisposeAsync()
    {
        _process?.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still closing: the temp directory is cleaned by the system later.
        }
        return Task.CompletedTask;
    }

    /// <summary>The CLI against this server, with the admin key unless <paramref name="key"/> is given.</summary>
    public Task<CliRun> RunAsync(params string[] args) => EaselCli.RunAsync([.. args, "--url", Url, "--key", EaselServer.AdminKey]);

    public Task<CliRun> RunWithKeyAsync(string key, params string[] args) => EaselCli.RunAsync([.. args, "--url", Url, "--key", key]);

    /// <summary>A client of this server's HTTP API for the given key, for what a test checks or arranges behind the CLI's back.</summary>
    public HttpClient Http(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>A fresh account through the CLI's own --json answer: its id, key and key id.</summary>
    public async Task<(string AccountId, string ApiKey, string KeyId)> CreateAccountAsync(string name, params string[] options)
    {
        var run = await RunAsync(["accounts", "create", name, "--json", .. options]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var json = run.Json.RootElement;
        return (json.GetProperty("account_id").GetString()!, json.GetProperty("api_key").GetString()!, json.GetProperty("key_id").GetString()!);
    }
}

[CollectionDefinition(Name)]
public sealed class UsesEaselServer : ICollectionFixture<EaselServer>
{
    public const string Name = "Easel server";
}

/// <summary>A task made behind the CLI's back, for the administration verbs' tests.</summary>
public static class TestTasks
{
    /// <summary>Creates an upload-paint task whose image URL nobody serves, so it fails and is refunded; its id.</summary>
    public static async Task<string> CreateFailingTaskAsync(string url, string key)
    {
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var body = new Dictionary<string, object?>
        {
            ["model"] = "mj-v7-upload-paint",
            ["prompt"] = "a quiet harbour",
            ["image_urls"] = new[] { $"http://127.0.0.1:{ServerProcess.FreePort()}/missing.png" },
            ["model_params"] = new Dictionary<string, object?>
            {
                ["canvas"] = new { width = 128, height = 128 },
                ["img_pos"] = new { width = 64, height = 64, x = 32, y = 32 },
                ["mask"] = new { areas = new[] { new { width = 100, height = 100, points = new[] { 30, 30, 30, 45, 45, 45, 45, 30 } } } },
            },
        };
        using var response = await http.PostAsJsonAsync("/v1/images/generations", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("id").GetString()!;
    }
}

/// <summary>One invocation of the CLI in this process, through its entry point, with stdout and stderr captured.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    private JsonDocument? _json;

    /// <summary>Stdout parsed as JSON; fails the test if it is not exactly one JSON value.</summary>
    public JsonDocument Json => _json ??= JsonDocument.Parse(Stdout);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

public static class EaselCli
{
    public static Task<CliRun> RunAsync(params string[] args) => RunAsync(args, _ => null);

    public static async Task<CliRun> RunAsync(string[] args, Func<string, string?> environment)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await Program.RunAsync(args, stdout, stderr, environment);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>With stdout watched by the test and <paramref name="interrupt"/> playing Ctrl-C.</summary>
    public static async Task<CliRun> RunAsync(string[] args, StringWriter stdout, CancellationToken interrupt)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        using var stderr = new StringWriter();
        var exitCode = await Program.RunAsync(args, stdout, stderr, _ => null, interrupt);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }
}
