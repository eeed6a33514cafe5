using System.Text.Json.Nodes;
using Easel.Server.Tests.Infrastructure;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// What the upstream engines' tests share: a front (an in-process Easel whose engines are the given entries, with the
/// outbound guard as in production), a funded account on it, an imagine run to its end, and waiting for a condition.
/// </summary>
internal static class UpstreamFront
{
    public const string Prompt = "a lighthouse in fog";
    public const string Imagine = """{"model": "mj-v7", "prompt": "a lighthouse in fog"}""";

    // Loopback is reached only because it is an engine's own host and port.
    public static EaselHost Front(params Dictionary<string, string?>[] engines) =>
        new(engines.SelectMany(e => e).Append(new("Easel:Outbound:AllowPrivateNetworks", "false")).ToDictionary(e => e.Key, e => e.Value));

    public static async Task<(string AccountId, HttpClient Client)> AccountAsync(EaselHost host)
    {
        var (id, client, _) = await host.CreateAccountAsync(new { name = "client", credits = 100m });
        return (id, client);
    }

    public static async Task<JsonObject> RunAsync(HttpClient client, string body = Imagine)
    {
        var (status, created) = await client.PostJsonAsync("/v1/images/generations", body);
        Assert.True(status == 200, created.ToJsonString());
        var (task, _) = await client.UnifiedDoneAsync(created["id"]!.GetValue<string>(), TimeSpan.FromSeconds(30));
        return task;
    }

    /// <summary>A unified create run to completed with this many images (the chains of operations); its task id.</summary>
    public static async Task<string> RunUnifiedAsync(HttpClient client, object body, int images, int seconds = 30)
    {
        var (status, created) = await client.PostJsonAsync("/v1/images/generations", body);
        Assert.True(status == 200, created.ToJsonString());
        var id = created["id"]!.GetValue<string>();
        var (task, _) = await client.UnifiedDoneAsync(id, TimeSpan.FromSeconds(seconds));
        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        Assert.Equal(images, task["results"]!.AsArray().Count);
        return id;
    }

    /// <summary>A classic create run to completed with this many images; its task id.</summary>
    public static async Task<string> RunClassicAsync(HttpClient client, object body, int images, int seconds = 30)
    {
        var (status, created) = await client.PostJsonAsync("/model/v1/generation", body);
        Assert.True(status == 200, created.ToJsonString());
        var id = created["id"]!.GetValue<string>();
        var (task, _) = await client.ClassicDoneAsync(id, TimeSpan.FromSeconds(seconds));
        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        Assert.Equal(images, task["output"]![0]!["content"]!.AsArray().Count);
        return id;
    }

    public static Task WaitForAsync(Func<bool> condition) => WaitForAsync(() => Task.FromResult(condition()));

    public static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Delay(20);
        }
    }
}
