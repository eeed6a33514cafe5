using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Blobs;

/// <summary>Easel processes in PostgreSQL mode whose blobs are in a bucket of the test run's s3rver, each on a data directory of its own.</summary>
internal sealed class BucketNodes : IDisposable
{
    /// <summary>What every node hands out as its address, as behind one load balancer: each node takes these URLs as its own.</summary>
    public const string PublicBaseUrl = "http://easel.test";

    private readonly List<ServerProcess> _nodes = [];
    private readonly List<string> _directories = [];
    private readonly string _database;
    private readonly S3rverProcess _s3;
    private readonly string _bucket;

    public BucketNodes(string database, S3rverProcess s3, string bucket)
    {
        _database = database;
        _s3 = s3;
        _bucket = bucket;
    }

    public async Task<(ServerProcess Node, string DataDirectory)> StartAsync(string nodeId, bool redirectToPresigned = false)
    {
        var data = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));
        _directories.Add(data);
        var settings = Settings(_database, _s3.EaselSettings(_bucket, redirectToPresigned));
        settings["Easel__NodeId"] = nodeId;
        var node = await ServerProcess.StartAsync(data, EaselHost.AdminKey, settings);
        _nodes.Add(node);
        return (node, data);
    }

    public static Dictionary<string, string> Settings(string database, Dictionary<string, string> blobs)
    {
        var settings = new Dictionary<string, string>(blobs)
        {
            ["Easel__Database__Provider"] = "postgres",
            ["Easel__Database__ConnectionString"] = database,
            ["Easel__PublicBaseUrl"] = PublicBaseUrl,
            ["Easel__Workers"] = "2",
            ["Easel__Tasks__ShutdownGracePeriod"] = "00:00:00",
        };
        return settings;
    }

    /// <summary>A new account with this many credits; a client of the node speaking with its key.</summary>
    public static async Task<(string AccountId, string Key)> NewAccountAsync(ServerProcess node, decimal credits)
    {
        using var admin = node.Client();
        var (status, created) = await admin.PostJsonAsync("/admin/accounts", new { name = "bucket", credits });
        Assert.True(status == 201, created.ToJsonString());
        return (created["account_id"]!.GetValue<string>(), created["api_key"]!.GetValue<string>());
    }

    public static async Task<JsonObject> UploadAsync(HttpClient client, byte[] png)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(png);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "source.png");
        using var response = await client.PostAsync("/v1/files", form);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, body.ToJsonString());
        return body;
    }

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }
        foreach (var directory in _directories.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
