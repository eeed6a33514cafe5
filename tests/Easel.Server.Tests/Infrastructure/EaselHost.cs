using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Easel.Server.Tests.Infrastructure;

/// <summary>
/// One Easel server per test, through WebApplicationFactory, on its own data directory (a real SQLite file
/// and real files), torn down with the test.
/// </summary>
public sealed class EaselHost : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-0123456789abcdef";

    private readonly Dictionary<string, string?> _settings;

    public EaselHost(Dictionary<string, string?>? settings = null, string? dataDirectory = null)
    {
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));
        _settings = new Dictionary<string, string?>
        {
            ["Easel:DataDirectory"] = DataDirectory,
            ["Easel:BootstrapKey"] = AdminKey,
            ["Easel:Outbound:AllowPrivateNetworks"] = "true",
            ["Easel:Workers"] = "2",
            // A disposed test host stops its running tasks at once (they go back to pending), rather than wait for
            // them; the graceful shutdown tests set their own grace period.
            ["Easel:Tasks:ShutdownGracePeriod"] = "00:00:00",
        };
        foreach (var (key, value) in settings ?? [])
        {
            _settings[key] = value;
        }
    }

    public string DataDirectory { get; }

    public bool KeepData { get; set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public HttpClient ClientWithKey(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public HttpClient Admin() => ClientWithKey(AdminKey);

    /// <summary>A new account, funded for 100,000 credits unless told otherwise, and a client that speaks for it.</summary>
    public async Task<HttpClient> NewAccountAsync(string name = "tester", decimal credits = 100_000m)
    {
        using var admin = Admin();
        var response = await admin.PostAsJsonAsync("/admin/accounts", new { name, credits });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return ClientWithKey(body!["api_key"]!.GetValue<string>());
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && !KeepData && Directory.Exists(DataDirectory))
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}

public static class HttpJson
{
    public static async Task<(int Status, JsonObject Body)> PostJsonAsync(this HttpClient client, string path, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(path, content);
        return ((int)response.StatusCode, await ReadObjectAsync(response));
    }

    public static async Task<(int Status, JsonObject Body)> PostJsonAsync(this HttpClient client, string path, object body) =>
        await client.PostJsonAsync(path, JsonSerializer.Serialize(body));

    public static async Task<(int Status, JsonObject Body)> SendJsonAsync(this HttpClient client, HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await ReadObjectAsync(response));
    }

    public static async Task<(int Status, JsonObject Body)> GetJsonAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return ((int)response.StatusCode, await ReadObjectAsync(response));
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text) as JsonObject
            ?? throw new InvalidOperationException($"HTTP {(int)response.StatusCode} answered a body that is not a JSON object: {text}");
    }
}
