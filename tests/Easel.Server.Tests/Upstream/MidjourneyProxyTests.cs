using System.Text.Json.Nodes;
using Easel.Imaging;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing.UpstreamFakes;

using static Easel.Server.Tests.Upstream.UpstreamFront;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// The midjourney-proxy engine against a fake trueai-org proxy (UPSTREAMS.md section 1.1): imagine, the buttons of the
/// source task through both dialects (two-step where the button is on an upscale), Vary Region's modal, and the proxy's
/// refusals and failures as Easel's.
/// </summary>
public sealed class MidjourneyProxyTests
{
    internal static Dictionary<string, string?> Engine(string name, string baseUrl, int priority = 100, string secret = FakeMidjourneyProxy.Secret) => new()
    {
        [$"Easel:Engines:{name}:Type"] = "midjourney-proxy",
        [$"Easel:Engines:{name}:BaseUrl"] = baseUrl,
        [$"Easel:Engines:{name}:ApiKey"] = secret,
        [$"Easel:Engines:{name}:Priority"] = priority.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"Easel:Engines:{name}:PollInterval"] = "00:00:00.100",
    };

    private static async Task AssertColourAsync(HttpClient client, string url, (byte R, byte G, byte B) colour)
    {
        var image = ImageCodec.Decode(await client.DownloadAsync(url));
        Assert.Equal((FakeMidjourneyProxy.Side, FakeMidjourneyProxy.Side), (image.Width, image.Height));
        Assert.Equal([colour.R, colour.G, colour.B, 255], image.Pixels[..4]);
        var last = image.Pixels.Length - 4;
        Assert.Equal([colour.R, colour.G, colour.B, 255], image.Pixels[last..]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Imagine_sends_the_prompt_key_and_wake_up_url_and_serves_the_four_images_from_imageUrls_or_the_split_grid(bool omitImageUrls)
    {
        await using var fake = await FakeMidjourneyProxy.StartAsync();
        fake.OmitImageUrls = omitImageUrls;
        using var host = Front(Engine("mj", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        var (route, body) = Assert.Single(fake.Submissions);
        Assert.Equal("imagine", route);
        Assert.Equal((Prompt, "MID_JOURNEY"), (body["prompt"]!.GetValue<string>(), body["botType"]!.GetValue<string>()));
        Assert.StartsWith("easel-", body["state"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains($"/upstream/wake/{task["id"]!.GetValue<string>()}/", body["notifyHook"]!.GetValue<string>(), StringComparison.Ordinal);
        var job = Assert.Single(fake.Tasks.Values);
        var results = task["results"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.Equal(4, results.Count);
        for (var n = 0; n < 4; n++)
        {
            await AssertColourAsync(client, results[n], FakeMidjourneyProxy.Colour(job, n));
        }
        var ledger = await host.LedgerAsync(accountId);
        Assert.Equal((1, 0), (ledger.Count("charge"), ledger.Count("refund")));
    }

    [Fact]
    public async Task The_buttons_chain_runs_through_both_dialects_with_two_step_jobs_and_the_vary_region_modal()
    {
        await using var fake = await FakeMidjourneyProxy.StartAsync();
        fake.OmitImageUrls = true;
        using var host = Front(Engine("mj", fake.BaseUrl));
        var (_, client) = await AccountAsync(host);
        var imagine = (await RunAsync(client))["id"]!.GetValue<string>();
        var grid = Assert.Single(fake.Tasks.Values);

        // Classic: U3 of the grid (one image, image 2 of the grid at full size).
        var upscale = await RunClassicAsync(client, new { model = "midjourney_upscale", jobId = imagine, imageNo = 2, type = 0 }, 1);
        var u3 = fake.Tasks.Values.Single(t => t.Action == "UPSCALE");
        Assert.Equal((grid.Id, $"MJ::JOB::upsample::3::"), (u3.ParentId, u3.CustomId![..22]));
        var (_, upscaled) = await client.GetJsonAsync($"/v1/tasks/{upscale}");
        await AssertColourAsync(client, upscaled["results"]![0]!.GetValue<string>(), FakeMidjourneyProxy.Colour(grid, 2));

        // Unified: pan left on the upscale, one press.
        var pan = await RunUnifiedAsync(client, new { model = "mj-v7-pan", model_params = new { task_id = upscale, image_number = 0, direction = "left", scale = 1.5 } }, 4);
        var panJob = fake.Tasks.Values.Single(t => t.Action == "PAN");
        Assert.Equal(u3.Id, panJob.ParentId);
        Assert.StartsWith("MJ::JOB::pan_left::1::", panJob.CustomId, StringComparison.Ordinal);

        // Classic: V2 strong of the grid.
        await RunClassicAsync(client, new { model = "midjourney_variation", jobId = imagine, imageNo = 1, type = 1 }, 4);
        var v2 = fake.Tasks.Values.Single(t => t.Action == "VARIATION");
        Assert.Equal((grid.Id, true), (v2.ParentId, v2.Strong));
        Assert.StartsWith("MJ::JOB::variation::2::", v2.CustomId, StringComparison.Ordinal);

        // Unified: zoom out 2x of grid image 4, which has no zoom button: U4 first, then Zoom Out 2x on its result.
        var outpaint = await RunUnifiedAsync(client, new { model = "mj-v7-outpaint", model_params = new { task_id = imagine, image_number = 3, scale = 2.0 } }, 4);
        var u4 = fake.Tasks.Values.Single(t => t.Action == "UPSCALE" && t.CustomId!.StartsWith("MJ::JOB::upsample::4::", StringComparison.Ordinal));
        var zoom = fake.Tasks.Values.Single(t => t.Action == "ZOOM");
        Assert.Equal((grid.Id, u4.Id), (u4.ParentId, zoom.ParentId));
        Assert.StartsWith("MJ::Outpaint::50::1::", zoom.CustomId, StringComparison.Ordinal);
        var (_, zoomed) = await client.GetJsonAsync($"/v1/tasks/{outpaint}");
        await AssertColourAsync(client, zoomed["results"]![1]!.GetValue<string>(), FakeMidjourneyProxy.Colour(zoom, 1));

        // Classic: vary region of the upscale with a prompt: the button, then the modal with the prompt and a mask of its size.
        var mask = new { areas = new[] { new { width = 500, height = 500, points = new[] { 0, 0, 250, 0, 250, 250, 0, 250 } } } };
        await RunClassicAsync(client, new { model = "midjourney_inpaint", jobId = upscale, imageNo = 0, mask, remixPrompt = "a red boat" }, 4);
        var region = fake.Tasks.Values.Single(t => t.Action == "INPAINT");
        Assert.Equal((u3.Id, "a red boat", 1), (region.ParentId, region.Prompt, region.Modals));
        Assert.StartsWith("MJ::Inpaint::1::", region.CustomId, StringComparison.Ordinal);
        Assert.Equal((FakeMidjourneyProxy.Side, FakeMidjourneyProxy.Side), (region.Mask!.Width, region.Mask.Height));
        // White repaints: the top-left quarter, black elsewhere.
        Assert.Equal((255, 0), (region.Mask.Pixels[((5 * 64) + 5) * 4], region.Mask.Pixels[((50 * 64) + 50) * 4]));

        // Unified: remix of grid image 1: V1 with remix on, its modal carrying the new prompt.
        await RunUnifiedAsync(client, new { model = "mj-v7-remix", prompt = "as a watercolour", model_params = new { task_id = imagine, image_number = 0, mode = "subtle" } }, 4);
        var remix = fake.Tasks.Values.Single(t => t.Action == "VARIATION" && t.Modals == 1);
        Assert.Equal((grid.Id, "as a watercolour", false), (remix.ParentId, remix.Prompt, remix.Strong));
        var action = fake.Submissions.Last(s => s.Route == "action").Body;
        Assert.True(action["enableRemix"]!.GetValue<bool>());

        // Every press named its source and carried the submission key and wake-up URL.
        Assert.All(fake.Submissions.Where(s => s.Route == "action"), s => Assert.StartsWith("easel-", s.Body["state"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Equal(2, fake.Submissions.Count(s => s.Route == "modal"));
    }

    [Fact]
    public async Task A_button_the_source_does_not_have_is_invalid_parameters_and_refunded()
    {
        await using var fake = await FakeMidjourneyProxy.StartAsync();
        using var host = Front(Engine("mj", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);
        var imagine = (await RunAsync(client))["id"]!.GetValue<string>();
        var upscale = await RunUnifiedAsync(client, new { model = "mj-v7-upscale", model_params = new { task_id = imagine, image_number = 0, type = "standard" } }, 1);

        // Classic type 2 is the v5 upscaler's 2x, which a v7 upscale has no button for.
        var (status, created) = await client.PostJsonAsync("/model/v1/generation", new { model = "midjourney_upscale", jobId = upscale, imageNo = 0, type = 2 });
        Assert.True(status == 200, created.ToJsonString());
        var (task, _) = await client.ClassicDoneAsync(created["id"]!.GetValue<string>(), TimeSpan.FromSeconds(30));

        Assert.True(task["status"]!.GetValue<string>() == "failed", task.ToJsonString());
        Assert.Contains("no Upscale (2x) button", task["error"]!["error_message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, (await host.LedgerAsync(accountId)).Count("refund", created["id"]!.GetValue<string>()));
        Assert.DoesNotContain(fake.Submissions, s => s.Route == "action" && s.Body["customId"]!.GetValue<string>().Contains("upsample_v5", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("queue_full")]
    [InlineData("server_error")]
    [InlineData("wrong_secret")]
    public async Task A_proxy_that_cannot_take_the_task_leaves_it_to_the_next_engine(string fault)
    {
        await using var first = await FakeMidjourneyProxy.StartAsync();
        await using var second = await FakeMidjourneyProxy.StartAsync();
        first.SubmitFault = fault switch { "queue_full" => MjSubmitFault.QueueFull, "server_error" => MjSubmitFault.ServerError, _ => MjSubmitFault.None };
        using var host = Front(Engine("first", first.BaseUrl, 1, fault == "wrong_secret" ? "not-the-secret" : FakeMidjourneyProxy.Secret), Engine("second", second.BaseUrl, 2));
        var (_, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        Assert.Equal("second", task["engine"]!.GetValue<string>());
        Assert.Empty(first.Tasks);
        Assert.Single(second.Tasks);
    }

    [Theory]
    [InlineData(MjSubmitFault.BannedPrompt, MjJobFault.None, "content_policy_violation", "banned")]
    [InlineData(MjSubmitFault.Validation, MjJobFault.None, "invalid_parameters", "code 4")]
    [InlineData(MjSubmitFault.None, MjJobFault.Moderation, "content_policy_violation", "Banned prompt detected")]
    [InlineData(MjSubmitFault.None, MjJobFault.Fail, "generation_failed_no_content", "failed to render")]
    public async Task The_proxys_refusals_and_failures_are_easels_and_refunded_without_trying_another_engine(MjSubmitFault submit, MjJobFault job, string code, string words)
    {
        await using var fake = await FakeMidjourneyProxy.StartAsync();
        await using var other = await FakeMidjourneyProxy.StartAsync();
        (fake.SubmitFault, fake.JobFault) = (submit, job);
        using var host = Front(Engine("mj", fake.BaseUrl, 1), Engine("other", other.BaseUrl, 2));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["error"]!["code"]!.GetValue<string>() == code, task.ToJsonString());
        Assert.Contains(words, task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(other.Tasks);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task Results_that_are_not_images_fail_the_task_and_nothing_is_stored()
    {
        await using var fake = await FakeMidjourneyProxy.StartAsync();
        fake.JobFault = MjJobFault.ResultsNotImages;
        using var host = Front(Engine("mj", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["status"]!.GetValue<string>() == "failed", task.ToJsonString());
        Assert.Contains("not an image", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        Assert.False(Directory.Exists(Path.Combine(host.DataDirectory, "files"))
            && Directory.EnumerateFiles(Path.Combine(host.DataDirectory, "files"), "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task A_job_that_never_finishes_times_out_refunded_and_is_cancelled_on_the_proxy()
    {
        await using var fake = await FakeMidjourneyProxy.StartAsync();
        fake.JobFault = MjJobFault.NeverFinish;
        var engine = Engine("mj", fake.BaseUrl);
        engine["Easel:Engines:mj:TaskTimeout"] = "00:00:02";
        using var host = Front(engine);
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["error"]!["code"]!.GetValue<string>() == "generation_timeout", task.ToJsonString());
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        await WaitForAsync(() => fake.Cancels == 1);
        Assert.Equal("FAILURE", Assert.Single(fake.Tasks.Values).Status);
    }

    [Fact]
    public async Task A_client_cancel_is_refunded_and_cancels_the_proxys_task()
    {
        await using var fake = await FakeMidjourneyProxy.StartAsync();
        fake.JobFault = MjJobFault.NeverFinish;
        using var host = Front(Engine("mj", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Imagine);
        await WaitForAsync(() => fake.Tasks.Count == 1);
        await Task.Delay(300);

        var (status, cancelled) = await client.PostJsonAsync($"/v1/tasks/{created["id"]!.GetValue<string>()}/cancel", "{}");

        Assert.Equal(200, status);
        Assert.Equal("request_cancelled", cancelled["error"]!["code"]!.GetValue<string>());
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        await WaitForAsync(() => fake.Cancels == 1);
        Assert.Equal(("FAILURE", "取消任务"), (fake.Tasks.Values.Single().Status, fake.Tasks.Values.Single().FailReason));
    }

    [Theory]
    [InlineData(FakeMjFlavour.TrueAi)]
    [InlineData(FakeMjFlavour.Novicezk)]
    public async Task A_forged_wake_up_changes_nothing_and_duplicated_wake_ups_complete_the_task_once(FakeMjFlavour flavour)
    {
        await using var fake = await FakeMidjourneyProxy.StartAsync(flavour);
        fake.SendsHooks = false;
        var engine = flavour == FakeMjFlavour.Novicezk ? MidjourneyProxyNovicezkTests.Engine("mj", fake.BaseUrl) : Engine("mj", fake.BaseUrl);
        engine["Easel:Engines:mj:PollInterval"] = "00:10:00";
        using var host = Front(engine);
        var (accountId, client) = await AccountAsync(host);
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Imagine);
        var id = created["id"]!.GetValue<string>();
        await WaitForAsync(() => fake.Tasks.Count == 1);
        var hook = new Uri(fake.Tasks.Values.Single().NotifyHook!);
        await WaitForAsync(() => fake.Tasks.Values.Single().Status == "SUCCESS");
        using var anonymous = host.CreateClient();

        var forged = await anonymous.PostAsync(hook.AbsolutePath[..^4] + "AAAA", new StringContent("""{"status":"SUCCESS"}"""));
        await Task.Delay(300);
        var (_, still) = await client.GetJsonAsync($"/v1/tasks/{id}");
        Assert.Equal(404, (int)forged.StatusCode);
        Assert.Equal("processing", still["status"]!.GetValue<string>());

        // The proxy posts the whole task on every change: each is only a reason to poll.
        var duplicates = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => anonymous.PostAsync(hook.AbsolutePath,
            new StringContent(fake.Info(fake.Tasks.Values.Single()).ToJsonString(), System.Text.Encoding.UTF8, "application/json"))));
        var (task, _) = await client.UnifiedDoneAsync(id, TimeSpan.FromSeconds(10));

        Assert.All(duplicates, d => Assert.Equal(204, (int)d.StatusCode));
        Assert.Equal("completed", task["status"]!.GetValue<string>());
        Assert.Equal(4, task["results"]!.AsArray().Count);
        Assert.Equal(1, (await host.LedgerAsync(accountId)).Count("charge", id));
    }
}
