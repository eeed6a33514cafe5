using System.Text.Json.Nodes;

namespace Easel.Server.Tests.Infrastructure;

public static class TaskPolling
{
    private static readonly string[] Terminal = ["completed", "failed", "cancelled"];

    /// <summary>Polls the task until it reaches a terminal state; records every progress seen on the way.</summary>
    public static async Task<(JsonObject Task, List<double> Progress)> UntilDoneAsync(
        this HttpClient client, string queryPath, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        var seen = new List<double>();
        while (true)
        {
            var (status, body) = await client.GetJsonAsync(queryPath);
            Assert.True(status == 200, $"GET {queryPath} answered {status}: {body.ToJsonString()}");
            seen.Add(body["progress"]!.GetValue<double>());
            if (Terminal.Contains(body["status"]!.GetValue<string>()))
            {
                return (body, seen);
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{queryPath} did not finish: {body.ToJsonString()}");
            }
            await Task.Delay(50);
        }
    }

    public static Task<(JsonObject Task, List<double> Progress)> UnifiedDoneAsync(this HttpClient client, string id, TimeSpan? timeout = null) =>
        client.UntilDoneAsync($"/v1/tasks/{id}", timeout);

    public static Task<(JsonObject Task, List<double> Progress)> ClassicDoneAsync(this HttpClient client, string id, TimeSpan? timeout = null) =>
        client.UntilDoneAsync($"/model/v1/generation/task/{id}", timeout);

    public static async Task<byte[]> DownloadAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(new Uri(url).PathAndQuery);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }
}
