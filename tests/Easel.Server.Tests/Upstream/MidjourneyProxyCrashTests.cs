using Easel.Server.Tests.Infrastructure;
using Easel.Testing;
using Easel.Testing.UpstreamFakes;
using Xunit.Abstractions;

using static Easel.Server.Tests.Upstream.UpstreamFront;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// SIGKILL of a real Easel process inside midjourney-proxy's two crash windows. The proxy cannot find a job by the
/// `state` Easel sends (TI's list-by-condition reads ids only), so a submission whose answer was lost is never sent
/// again: the task fails as unknown and is refunded, and the proxy holds one job (the documented limit). A Vary
/// Region whose modal was sent but not answered is not sent again either: the restarted Easel sees the task left
/// MODAL and waits on it, so the proxy gets one modal and the task completes, charged once.
/// </summary>
public sealed class MidjourneyProxyCrashTests(ITestOutputHelper output)
{
    private static Dictionary<string, string> Settings(FakeMidjourneyProxy fake)
    {
        var settings = new Dictionary<string, string>
        {
            ["Easel__Engines__mj__Type"] = "midjourney-proxy",
            ["Easel__Engines__mj__BaseUrl"] = fake.BaseUrl,
            ["Easel__Engines__mj__ApiKey"] = FakeMidjourneyProxy.Secret,
            ["Easel__Engines__mj__PollInterval"] = "00:00:00.100",
        };
        if (fake.Flavour == FakeMjFlavour.Novicezk)
        {
            settings["Easel__Engines__mj__Options__Flavour"] = "novicezk";
        }
        return settings;
    }

    /// <summary>The same limit for novicezk's proxy: its list-by-condition reads ids only too.</summary>
    [Theory]
    [InlineData(FakeMjFlavour.TrueAi)]
    [InlineData(FakeMjFlavour.Novicezk)]
    public async Task Killed_before_the_imagine_answer_was_stored_the_task_fails_as_unknown_refunded_and_the_proxy_holds_one_job(FakeMjFlavour flavour)
    {
        await using var fake = await FakeMidjourneyProxy.StartAsync(flavour);
        fake.SubmitFault = MjSubmitFault.HoldAnswer;
        fake.FaultRoute = "imagine";
        await WithRestartAsync(fake, async client =>
        {
            var (_, created) = await client.PostJsonAsync("/v1/images/generations", Imagine);
            await fake.HeldArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return created["id"]!.GetValue<string>();
        }, async (client, id, data) =>
        {
            var (task, _) = await client.UnifiedDoneAsync(id, TimeSpan.FromSeconds(60));

            Assert.True(task["error"]?["code"]?.GetValue<string>() == "service_error", task.ToJsonString());
            Assert.Contains("unknown", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Single(fake.Submissions, s => s.Route == "imagine");
            Assert.Equal(1L, await Database.ScalarAsync<long>(data, "SELECT COUNT(*) FROM ledger WHERE kind = 2"));
        });
    }

    [Fact]
    public async Task Killed_while_the_vary_region_modal_was_out_the_restarted_easel_does_not_send_it_again_and_completes_the_task()
    {
        await using var fake = await FakeMidjourneyProxy.StartAsync();
        fake.WorkTime = TimeSpan.FromMilliseconds(200);
        var mask = new { areas = new[] { new { width = 500, height = 500, points = new[] { 100, 100, 100, 300, 300, 300, 300, 100 } } } };
        await WithRestartAsync(fake, async client =>
        {
            var (task, _) = await client.UnifiedDoneAsync((await client.PostJsonAsync("/v1/images/generations", Imagine)).Body["id"]!.GetValue<string>(), TimeSpan.FromSeconds(60));
            Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
            fake.SubmitFault = MjSubmitFault.HoldAnswer;
            fake.FaultRoute = "modal";
            // Vary Region on a grid image: U2 first, then the button on its result, then the modal, which is held.
            var (status, created) = await client.PostJsonAsync("/v1/images/generations", new
            {
                model = "mj-v7-inpaint", prompt = "a red boat", model_params = new { task_id = task["id"]!.GetValue<string>(), image_number = 1, mask },
            });
            Assert.True(status == 200, created.ToJsonString());
            await fake.HeldArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return created["id"]!.GetValue<string>();
        }, async (client, id, data) =>
        {
            var (task, _) = await client.UnifiedDoneAsync(id, TimeSpan.FromSeconds(60));

            Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
            Assert.Single(fake.Submissions, s => s.Route == "modal");
            Assert.Equal(1, fake.Tasks.Values.Sum(t => t.Modals));
            Assert.Equal(2L, await Database.ScalarAsync<long>(data, "SELECT COUNT(*) FROM ledger WHERE kind = 1"));
        });
    }

    /// <summary>Runs <paramref name="before"/> on a real Easel, kills it (SIGKILL), releases the fake's held answer, and runs <paramref name="after"/> on a restarted one.</summary>
    private async Task WithRestartAsync(FakeMidjourneyProxy fake, Func<HttpClient, Task<string>> before, Func<HttpClient, string, string, Task> after)
    {
        using var crash = await KilledEasel.RunAsync(Settings(fake), _ => Task.CompletedTask, before);
        fake.SubmitFault = MjSubmitFault.None;
        fake.ReleaseHeld();

        using var second = await crash.RestartAsync();
        using var again = second.Client(crash.Key);
        try
        {
            await after(again, crash.TaskId, crash.Data);
        }
        catch
        {
            output.WriteLine(second.Output);
            throw;
        }
    }
}
