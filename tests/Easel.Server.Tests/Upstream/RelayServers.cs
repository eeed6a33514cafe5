using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// Two real Easel processes: the upstream (its local engine paints) and the front, whose only engine is the upstream,
/// spoken to in one of the two dialects. The front's account and the upstream's account (whose key the front holds)
/// are each funded, so a test can check both ledgers.
/// </summary>
internal sealed class RelayServers : IDisposable
{
    private readonly List<string> _directories = [];

    public required ServerProcess Upstream { get; init; }
    public required ServerProcess Front { get; init; }
    public required HttpClient UpstreamAccount { get; init; }
    public required HttpClient FrontAccount { get; init; }

    public static async Task<RelayServers> StartAsync(string protocol, IDictionary<string, string>? frontSettings = null)
    {
        var upstreamData = NewDirectory();
        var frontData = NewDirectory();
        var upstream = await ServerProcess.StartAsync(upstreamData, EaselHost.AdminKey, new Dictionary<string, string> { ["Easel__Workers"] = "2" });
        var upstreamKey = await NewAccountKeyAsync(upstream, "front-of-house");
        var settings = new Dictionary<string, string>
        {
            ["Easel__Engines__upstream__Type"] = protocol,
            ["Easel__Engines__upstream__BaseUrl"] = upstream.Url,
            ["Easel__Engines__upstream__ApiKey"] = upstreamKey,
            ["Easel__Engines__upstream__PollInterval"] = "00:00:00.200",
            ["Easel__Engines__upstream__UseUpstreamEstimate"] = "false",
        };
        foreach (var (key, value) in frontSettings ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        var front = await ServerProcess.StartAsync(frontData, EaselHost.AdminKey, settings);
        var frontKey = await NewAccountKeyAsync(front, "client");
        var servers = new RelayServers
        {
            Upstream = upstream,
            Front = front,
            UpstreamAccount = upstream.Client(upstreamKey),
            FrontAccount = front.Client(frontKey),
        };
        servers._directories.AddRange([upstreamData, frontData]);
        return servers;
    }

    /// <summary>Uploads a PNG to the front and returns its URL there.</summary>
    public async Task<string> UploadAsync(byte[] png)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(png), "file", "source.png" } };
        using var response = await FrontAccount.PostAsync("/v1/files", form);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(response.IsSuccessStatusCode, body?.ToJsonString());
        return body!["url"]!.GetValue<string>();
    }

    private static async Task<string> NewAccountKeyAsync(ServerProcess server, string name)
    {
        using var admin = server.Client();
        var (status, body) = await admin.PostJsonAsync("/admin/accounts", new { name, credits = 10_000m });
        Assert.True(status is 200 or 201, body.ToJsonString());
        return body["api_key"]!.GetValue<string>();
    }

    private static string NewDirectory() => Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        UpstreamAccount.Dispose();
        FrontAccount.Dispose();
        Front.Dispose();
        Upstream.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var directory in _directories.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
