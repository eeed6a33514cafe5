using Easel.Server.Tests.Infrastructure;
using Easel.Testing;
using Easel.Testing.UpstreamFakes;
using Xunit.Abstractions;

using static Easel.Server.Tests.Upstream.UpstreamFront;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// SIGKILL of a real Easel process whose task waits on a cog prediction: cog cannot be asked about a prediction and a
/// PUT of a finished one would run it again, so the restarted Easel must never send the prediction again; it waits for
/// cog's terminal webhook, which cog retries while Easel is down, and completes the task from it, charged once. And a
/// delivery bigger than Kestrel's default request limit reaching a real Easel process whole.
/// </summary>
public sealed class CogCrashTests(ITestOutputHelper output)
{
    private static Dictionary<string, string> Settings(FakeCog fake) => new()
    {
        ["Easel__Engines__cog__Type"] = "cog",
        ["Easel__Engines__cog__BaseUrl"] = fake.BaseUrl,
        ["Easel__Engines__cog__Options__Width"] = "32",
        ["Easel__Engines__cog__Options__Height"] = "32",
        ["Easel__Engines__cog__Options__Inputs__imagine__prompt"] = "prompt",
        ["Easel__Engines__cog__Options__Inputs__imagine__seed"] = "seed",
        ["Easel__Engines__cog__Options__Inputs__imagine__width"] = "width",
        ["Easel__Engines__cog__Options__Inputs__imagine__height"] = "height",
        ["Easel__Engines__cog__Options__Inputs__imagine__count"] = "num_outputs",
    };

    [Fact]
    public async Task Killed_while_the_prediction_runs_the_restarted_easel_never_puts_it_again_and_completes_from_the_retried_webhook()
    {
        await using var fake = await FakeCog.StartAsync();
        fake.WorkTime = TimeSpan.FromSeconds(1);
        using var crash = await KilledEasel.RunAsync(Settings(fake),
            data => WaitForAsync(async () => await Database.ScalarAsync<long>(data, "SELECT COUNT(*) FROM tasks WHERE upstream_id IS NOT NULL") == 1));
        // The prediction finishes while Easel is down: its terminal webhook finds nobody, and cog retries it.
        await WaitForAsync(() => fake.Deliveries.Any(d => d.Status == 0));

        using var second = await crash.RestartAsync();
        using var again = second.Client(crash.Key);
        var (task, _) = await again.UnifiedDoneAsync(crash.TaskId, TimeSpan.FromSeconds(60));

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString() + second.Output);
        Assert.Single(fake.Predictions);
        Assert.Equal(204, fake.Deliveries[^1].Status);
        var seed = fake.Predictions[0].Seed;
        var image = Easel.Imaging.ImageCodec.Decode(await again.DownloadAsync(task["results"]![3]!.GetValue<string>()));
        var (r, g, b) = FakeCog.Colour(Prompt, seed + 3);
        Assert.Equal([r, g, b], image.Pixels[..3]);
        Assert.Equal(1L, await crash.ScalarAsync("SELECT COUNT(*) FROM ledger WHERE kind = 1"));
        Assert.Equal(0L, await crash.ScalarAsync("SELECT COUNT(*) FROM upstream_deliveries"));
        output.WriteLine(second.Output);
    }

    [Fact]
    public async Task Killed_before_the_acceptance_was_stored_the_restarted_easel_puts_the_same_key_and_cog_answers_with_the_running_prediction()
    {
        await using var fake = await FakeCog.StartAsync();
        fake.WorkTime = TimeSpan.FromSeconds(8);
        fake.HoldAnswers = true;
        using var crash = await KilledEasel.RunAsync(Settings(fake), _ => fake.HeldAnswerArrived.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1L, await crash.ScalarAsync("SELECT COUNT(*) FROM tasks WHERE upstream_key IS NOT NULL AND upstream_id IS NULL"));
        fake.HoldAnswers = false;

        using var second = await crash.RestartAsync();
        using var again = second.Client(crash.Key);
        var (task, _) = await again.UnifiedDoneAsync(crash.TaskId, TimeSpan.FromSeconds(60));

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString() + second.Output);
        // Sent twice under one key while it ran: one prediction.
        Assert.Single(fake.Predictions);
        Assert.True(Assert.Single(fake.PutsById).Value >= 2, "the restarted Easel put the same key again");
        Assert.Equal(1L, await crash.ScalarAsync("SELECT COUNT(*) FROM ledger WHERE kind = 1"));
    }

    [Fact]
    public async Task A_delivery_over_kestrels_default_body_limit_but_within_the_engines_is_recorded_by_a_real_process()
    {
        await using var fake = await FakeCog.StartAsync();
        fake.Behaviour = CogBehaviour.NoWebhook;
        var data = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));
        try
        {
            using var server = await ServerProcess.StartAsync(data, EaselHost.AdminKey, Settings(fake));
            using var admin = server.Client();
            var (_, account) = await admin.PostJsonAsync("/admin/accounts", new { name = "client", credits = 100m });
            using var client = server.Client(account["api_key"]!.GetValue<string>());
            var (_, created) = await client.PostJsonAsync("/v1/images/generations", Imagine);
            await WaitForAsync(() => fake.Predictions.Count == 1 && fake.Predictions[0].Status == "succeeded");
            var prediction = fake.Predictions[0];
            // 40 MB of logs: over Kestrel's 30 MB default, well within four images' worth of base64.
            var body = prediction.Snapshot.DeepClone().AsObject();
            body["logs"] = new string('x', 40_000_000);

            using var delivery = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
            using var answer = await delivery.PostAsync(prediction.Webhook, new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));

            Assert.Equal(System.Net.HttpStatusCode.NoContent, answer.StatusCode);
            var (task, _) = await client.UnifiedDoneAsync(created["id"]!.GetValue<string>(), TimeSpan.FromSeconds(60));
            Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }
}
