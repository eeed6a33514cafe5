using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// A crash test's two real Easel processes on one data directory: the first makes a funded account and a task, and is
/// SIGKILLed when the test says; the second is started on the same directory and port, so the URLs the first handed
/// out (its wake-up URLs among them) stay good.
/// </summary>
internal sealed class KilledEasel : IDisposable
{
    private readonly Dictionary<string, string> _settings;

    private KilledEasel(IReadOnlyDictionary<string, string> settings) =>
        _settings = new Dictionary<string, string>(settings) { ["Easel__Tasks__LeaseDuration"] = "00:00:03" };

    public string Data { get; } = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));

    /// <summary>The account's key, for a client of the restarted process.</summary>
    public string Key { get; private set; } = "";

    public string TaskId { get; private set; } = "";

    private int Port { get; set; }

    /// <summary>
    /// Starts Easel, creates the task (<paramref name="create"/>, or the imagine), waits for <paramref name="killWhen"/>
    /// (given the data directory), and kills the process.
    /// </summary>
    public static async Task<KilledEasel> RunAsync(IReadOnlyDictionary<string, string> settings, Func<string, Task> killWhen,
        Func<HttpClient, Task<string>>? create = null)
    {
        var crash = new KilledEasel(settings);
        try
        {
            using var first = await ServerProcess.StartAsync(crash.Data, EaselHost.AdminKey, crash._settings);
            crash.Port = first.Port;
            using var admin = first.Client();
            var (_, account) = await admin.PostJsonAsync("/admin/accounts", new { name = "client", credits = 100m });
            crash.Key = account["api_key"]!.GetValue<string>();
            using var client = first.Client(crash.Key);
            crash.TaskId = await (create ?? ImagineAsync)(client);
            await killWhen(crash.Data);
            first.Kill();
        }
        catch
        {
            crash.Dispose();
            throw;
        }
        return crash;
    }

    public Task<ServerProcess> RestartAsync() => ServerProcess.StartAsync(Data, EaselHost.AdminKey, _settings, Port);

    public Task<long> ScalarAsync(string sql) => Database.ScalarAsync<long>(Data, sql);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(Data))
        {
            Directory.Delete(Data, recursive: true);
        }
    }

    private static async Task<string> ImagineAsync(HttpClient client)
    {
        var (status, created) = await client.PostJsonAsync("/v1/images/generations", UpstreamFront.Imagine);
        Assert.True(status == 200, created.ToJsonString());
        return created["id"]!.GetValue<string>();
    }
}
