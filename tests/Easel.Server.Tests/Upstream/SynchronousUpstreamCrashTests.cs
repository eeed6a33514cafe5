using Easel.Server.Tests.Infrastructure;
using Easel.Testing.UpstreamFakes;
using Easel.Testing;
using static Easel.Server.Tests.Upstream.UpstreamFront;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// The documented limit of a synchronous upstream (openai-images, sd-webui): its call lives in the process that made
/// it. SIGKILL of that process while the call runs leaves a task whose answer nobody can receive; the next process
/// fails it as lost and refunds it, and never calls the upstream a second time.
/// </summary>
public sealed class SynchronousUpstreamCrashTests
{
    [Theory]
    [InlineData("openai-images")]
    [InlineData("sd-webui")]
    public async Task Killed_while_the_call_runs_the_task_fails_as_lost_and_is_refunded_without_a_second_call(string type)
    {
        await using var upstream = await SlowUpstream.StartAsync(type);
        using var crash = await KilledEasel.RunAsync(upstream.Settings,
            data => WaitForAsync(async () => await Database.ScalarAsync<long>(data, "SELECT COUNT(*) FROM tasks WHERE upstream_id IS NOT NULL") == 1));

        using var second = await crash.RestartAsync();
        using var reader = second.Client(crash.Key);
        var (task, _) = await reader.UnifiedDoneAsync(crash.TaskId, TimeSpan.FromSeconds(60));

        Assert.True(task["error"]!["code"]!.GetValue<string>() == "service_error", task.ToJsonString());
        Assert.Contains("died with the process", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, upstream.Calls());
        Assert.Equal(0L, await crash.ScalarAsync("SELECT COUNT(*) FROM ledger WHERE kind = 1"));
        Assert.Equal(0L, await crash.ScalarAsync("SELECT COUNT(*) FROM accounts a WHERE a.balance_micros != (SELECT COALESCE(SUM(amount_micros), 0) FROM ledger l WHERE l.account_id = a.id)"));
        Assert.Equal(1L, await crash.ScalarAsync($"SELECT COUNT(*) FROM ledger WHERE kind = 2 AND task_id = '{crash.TaskId}'"));
    }

    /// <summary>A fake of the type that never answers, the engine settings that point at it, and its call count.</summary>
    private sealed record SlowUpstream(IAsyncDisposable Fake, IReadOnlyDictionary<string, string> Settings, Func<int> Calls) : IAsyncDisposable
    {
        public static async Task<SlowUpstream> StartAsync(string type)
        {
            if (type == "openai-images")
            {
                var openAi = await FakeOpenAiImages.StartAsync();
                openAi.Behaviour = OpenAiBehaviour.Slow;
                return new SlowUpstream(openAi, Engine(type, openAi.BaseUrl, FakeOpenAiImages.Key, ("Size", "64x64")), () => openAi.Calls.Count);
            }
            var sd = await FakeSdWebui.StartAsync();
            sd.Behaviour = SdWebuiBehaviour.Slow;
            return new SlowUpstream(sd, Engine(type, sd.BaseUrl, FakeSdWebui.ApiKey, ("Width", "64"), ("Height", "64")), () => sd.Calls.Count);
        }

        private static Dictionary<string, string> Engine(string type, string baseUrl, string apiKey, params (string Name, string Value)[] options)
        {
            var settings = new Dictionary<string, string>
            {
                ["Easel__Engines__slow__Type"] = type,
                ["Easel__Engines__slow__BaseUrl"] = baseUrl,
                ["Easel__Engines__slow__ApiKey"] = apiKey,
                ["Easel__Engines__slow__PollInterval"] = "00:00:00.100",
            };
            foreach (var (name, value) in options)
            {
                settings[$"Easel__Engines__slow__Options__{name}"] = value;
            }
            return settings;
        }

        public ValueTask DisposeAsync() => Fake.DisposeAsync();
    }
}
