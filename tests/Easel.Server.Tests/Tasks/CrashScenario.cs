using Easel.Server.Tests.Infrastructure;
using Easel.Testing;
using Xunit.Abstractions;

namespace Easel.Server.Tests.Tasks;

/// <summary>The steps the kill-and-restart tests share (SQLite: CrashRecoveryTests; PostgreSQL: PostgresCrashRecoveryTests).</summary>
internal static class CrashScenario
{
    /// <summary>Submits four fills with large holes (busy for a while) and kills the process once the first is processing.</summary>
    public static async Task<List<string>> SubmitAndKillAsync(ServerProcess server, string imageUrl, ITestOutputHelper output)
    {
        var ids = new List<string>();
        using (var client = server.Client())
        {
            for (var i = 0; i < 4; i++)
            {
                var (status, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(imageUrl, canvas: 1024));
                Assert.Equal(200, status);
                ids.Add(created["id"]!.GetValue<string>());
            }
            await WaitForProcessingAsync(client, ids[0]);
        }
        server.Kill();
        output.WriteLine(server.Output);
        return ids;
    }

    /// <summary>Every task ends completed with four results, each of which downloads.</summary>
    public static async Task AssertEachCompletesAsync(ServerProcess server, IEnumerable<string> ids)
    {
        using var client = server.Client();
        foreach (var id in ids)
        {
            var (task, _) = await client.UnifiedDoneAsync(id, TimeSpan.FromSeconds(180));
            Assert.Equal("completed", task["status"]!.GetValue<string>());
            Assert.Equal(4, task["results"]!.AsArray().Count);
            foreach (var result in task["results"]!.AsArray())
            {
                using var response = await client.GetAsync(new Uri(result!.GetValue<string>()).PathAndQuery);
                Assert.True(response.IsSuccessStatusCode);
            }
        }
    }

    private static async Task WaitForProcessingAsync(HttpClient client, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var (_, task) = await client.GetJsonAsync($"/v1/tasks/{id}");
            if (task["status"]!.GetValue<string>() == "processing" && task["progress"]!.GetValue<int>() >= 15)
            {
                return;
            }
            var status = task["status"]!.GetValue<string>();
            Assert.True(status is "pending" or "processing", $"the task ended ({status}) before the kill could catch it processing: the fill is too quick for this test");
            await Task.Delay(20);
        }
        throw new TimeoutException("the task never started processing");
    }
}
