using System.Text.Json.Nodes;
using Easel.Imaging;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing.UpstreamFakes;

using static Easel.Server.Tests.Upstream.UpstreamFront;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// The midjourney-proxy engine of Options:Flavour novicezk against the fake in its novicezk mode (UPSTREAMS.md section
/// 1.2): imagine, U n and V n of a grid through /submit/change in both dialects, the grid cut into four, the change of
/// an upscale refused before anything is sent, capabilities of its own beside a trueai engine, failover, refusals,
/// timeout and cancel with no cancel route (the proxy's job runs on). Forged and duplicated wake-ups: MidjourneyProxyTests, for both flavours.
/// </summary>
public sealed class MidjourneyProxyNovicezkTests
{
    internal static Dictionary<string, string?> Engine(string name, string baseUrl, int priority = 100, string secret = FakeMidjourneyProxy.Secret)
    {
        var engine = MidjourneyProxyTests.Engine(name, baseUrl, priority, secret);
        engine[$"Easel:Engines:{name}:Options:Flavour"] = "novicezk";
        return engine;
    }

    private static Task<FakeMidjourneyProxy> NovicezkAsync() => FakeMidjourneyProxy.StartAsync(FakeMjFlavour.Novicezk);

    private static async Task AssertColourAsync(HttpClient client, string url, (byte R, byte G, byte B) colour)
    {
        var image = ImageCodec.Decode(await client.DownloadAsync(url));
        Assert.Equal((FakeMidjourneyProxy.Side, FakeMidjourneyProxy.Side), (image.Width, image.Height));
        Assert.Equal([colour.R, colour.G, colour.B, 255], image.Pixels[..4]);
        Assert.Equal([colour.R, colour.G, colour.B, 255], image.Pixels[^4..]);
    }

    private static List<string> Results(JsonObject task) => task["results"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();

    [Fact]
    public async Task Imagine_then_U2_then_V3_run_through_both_dialects_with_the_grid_cut_into_four()
    {
        await using var fake = await NovicezkAsync();
        using var host = Front(Engine("nz", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);

        // Unified imagine: the prompt, the key and the wake-up URL, no botType; the one grid imageUrl cut into four.
        var imagine = await RunAsync(client);
        Assert.True(imagine["status"]!.GetValue<string>() == "completed", imagine.ToJsonString());
        var (route, body) = Assert.Single(fake.Submissions);
        Assert.Equal(("imagine", Prompt, false), (route, body["prompt"]!.GetValue<string>(), body.ContainsKey("botType")));
        Assert.StartsWith("easel-", body["state"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains($"/upstream/wake/{imagine["id"]!.GetValue<string>()}/", body["notifyHook"]!.GetValue<string>(), StringComparison.Ordinal);
        var grid = Assert.Single(fake.Tasks.Values);
        var four = Results(imagine);
        Assert.Equal(4, four.Count);
        for (var n = 0; n < 4; n++)
        {
            await AssertColourAsync(client, four[n], FakeMidjourneyProxy.Colour(grid, n));
        }

        // Classic U2: change UPSCALE index 2 of the grid; its one image is image 2 of the grid at full size.
        var upscale = await RunClassicAsync(client, new { model = "midjourney_upscale", jobId = imagine["id"]!.GetValue<string>(), imageNo = 1, type = 0 }, 1);
        var u2 = fake.Tasks.Values.Single(t => t.Action == "UPSCALE");
        Assert.Equal((grid.Id, 2, $"/up {grid.Id} U2"), (u2.ParentId, u2.Index, u2.Description));
        await AssertColourAsync(client, Results(upscale)[0], FakeMidjourneyProxy.Colour(grid, 1));

        // Unified V3 (strong: NZ has no strength, V n is Midjourney's one variation).
        var variation = await RunUnifiedAsync(client, new { model = "mj-v7-variation", model_params = new { task_id = imagine["id"]!.GetValue<string>(), image_number = 2, type = "strong" } }, 4);
        var v3 = fake.Tasks.Values.Single(t => t.Action == "VARIATION");
        Assert.Equal((grid.Id, 3), (v3.ParentId, v3.Index));
        var varied = Results(variation);
        for (var n = 0; n < 4; n++)
        {
            await AssertColourAsync(client, varied[n], FakeMidjourneyProxy.Colour(v3, n));
        }

        // Classic imagine, unified U4 of it, classic V1 of the variation (a grid too).
        var classicImagine = await RunClassicAsync(client, new { model = "midjourney_diffusion", text = "a harbour at dusk" }, 4);
        var second = fake.Tasks.Values.Single(t => t.Action == "IMAGINE" && t.Prompt == "a harbour at dusk");
        var u4 = await RunUnifiedAsync(client, new { model = "mj-v7-upscale", model_params = new { task_id = classicImagine["id"]!.GetValue<string>(), image_number = 3, type = "standard" } }, 1);
        await AssertColourAsync(client, Results(u4)[0], FakeMidjourneyProxy.Colour(second, 3));
        await RunClassicAsync(client, new { model = "midjourney_variation", jobId = variation["id"]!.GetValue<string>(), imageNo = 0, type = 0 }, 4);
        var v1 = fake.Tasks.Values.Single(t => t.Action == "VARIATION" && t.ParentId == v3.Id);

        Assert.Equal(1, v1.Index);
        var changes = fake.Submissions.Where(s => s.Route == "change").Select(s => s.Body).ToList();
        Assert.Equal(4, changes.Count);
        Assert.Equal(["UPSCALE:2", "VARIATION:3", "UPSCALE:4", "VARIATION:1"], changes.Select(c => $"{c["action"]}:{c["index"]}"));
        Assert.All(changes, c => Assert.StartsWith("easel-", c["state"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Empty(fake.UnknownRoutes);
        var ledger = await host.LedgerAsync(accountId);
        Assert.Equal((6, 0), (ledger.Count("charge"), ledger.Count("refund")));
    }

    [Fact]
    public async Task The_upscale_or_variation_of_an_upscale_and_a_2x_upscale_are_refused_before_anything_is_sent_and_refunded()
    {
        await using var fake = await NovicezkAsync();
        using var host = Front(Engine("nz", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);
        var imagine = (await RunAsync(client))["id"]!.GetValue<string>();
        var upscale = (await RunUnifiedAsync(client, new { model = "mj-v7-upscale", model_params = new { task_id = imagine, image_number = 0, type = "standard" } }, 1))["id"]!.GetValue<string>();
        var sent = fake.Submissions.Count;

        var (status, created) = await client.PostJsonAsync("/model/v1/generation", new { model = "midjourney_upscale", jobId = upscale, imageNo = 0, type = 0 });
        Assert.True(status == 200, created.ToJsonString());
        var (again, _) = await client.ClassicDoneAsync(created["id"]!.GetValue<string>(), TimeSpan.FromSeconds(30));
        var vary = await RunAsync(client, System.Text.Json.JsonSerializer.Serialize(new { model = "mj-v7-variation", model_params = new { task_id = upscale, image_number = 0, type = "subtle" } }));
        var (twoTimesStatus, twoTimes) = await client.PostJsonAsync("/model/v1/generation", new { model = "midjourney_upscale", jobId = imagine, imageNo = 0, type = 2 });
        Assert.True(twoTimesStatus == 200, twoTimes.ToJsonString());
        var (twoTimesTask, _) = await client.ClassicDoneAsync(twoTimes["id"]!.GetValue<string>(), TimeSpan.FromSeconds(30));

        Assert.True(again["status"]!.GetValue<string>() == "failed", again.ToJsonString());
        Assert.Contains("changes only the images of a grid", again["error"]!["error_message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(vary["error"]?["code"]?.GetValue<string>() == "invalid_parameters", vary.ToJsonString());
        Assert.Contains("the source is an upscale", vary["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("2x and 4x upscalers", twoTimesTask["error"]!["error_message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(sent, fake.Submissions.Count);
        var ledger = await host.LedgerAsync(accountId);
        Assert.Equal(3, ledger.Count("refund"));
        Assert.Equal(100m - 5.4m - 8.1m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task Its_capabilities_are_its_own_beside_a_trueai_engine_remix_and_pan_of_its_images_are_refused_at_creation()
    {
        await using var nz = await NovicezkAsync();
        await using var ti = await FakeMidjourneyProxy.StartAsync();
        ti.SubmitFault = MjSubmitFault.QueueFull;
        using var host = Front(MidjourneyProxyTests.Engine("ti", ti.BaseUrl, 1), Engine("nz", nz.BaseUrl, 2));
        var (_, client) = await AccountAsync(host);
        var onNz = await RunAsync(client);
        ti.SubmitFault = MjSubmitFault.None;
        var onTi = await RunAsync(client);
        Assert.Equal(("nz", "ti"), (onNz["engine"]!.GetValue<string>(), onTi["engine"]!.GetValue<string>()));

        var (panStatus, pan) = await client.PostJsonAsync("/v1/images/generations",
            new { model = "mj-v7-pan", model_params = new { task_id = onNz["id"]!.GetValue<string>(), image_number = 0, direction = "left", scale = 1.5 } });
        var (remixStatus, remix) = await client.PostJsonAsync("/v1/images/generations",
            new { model = "mj-v7-remix", prompt = "as a watercolour", model_params = new { task_id = onNz["id"]!.GetValue<string>(), image_number = 0, mode = "subtle" } });
        var panOnTi = await RunUnifiedAsync(client, new { model = "mj-v7-pan", model_params = new { task_id = onTi["id"]!.GetValue<string>(), image_number = 0, direction = "left", scale = 1.5 } }, 4);

        Assert.Equal((400, "model_not_available"), (panStatus, pan["error"]!["code"]!.GetValue<string>()));
        Assert.Contains("engine 'nz'", pan["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal((400, "model_not_available"), (remixStatus, remix["error"]!["code"]!.GetValue<string>()));
        Assert.Equal("ti", panOnTi["engine"]!.GetValue<string>());
        Assert.DoesNotContain(nz.Submissions, s => s.Route != "imagine");
    }

    [Theory]
    [InlineData("queue_full")]
    [InlineData("server_error")]
    [InlineData("wrong_secret")]
    public async Task A_proxy_that_cannot_take_the_task_leaves_it_to_the_next_engine(string fault)
    {
        await using var first = await NovicezkAsync();
        await using var second = await NovicezkAsync();
        first.SubmitFault = fault switch { "queue_full" => MjSubmitFault.QueueFull, "server_error" => MjSubmitFault.ServerError, _ => MjSubmitFault.None };
        using var host = Front(Engine("first", first.BaseUrl, 1, fault == "wrong_secret" ? "not-the-secret" : FakeMidjourneyProxy.Secret), Engine("second", second.BaseUrl, 2));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        Assert.Equal("second", task["engine"]!.GetValue<string>());
        Assert.Equal(fault == "wrong_secret" ? 0 : 1, first.Submissions.Count);
        Assert.Empty(first.Tasks);
        Assert.Single(second.Tasks);
        Assert.Equal((1, 0), ((await host.LedgerAsync(accountId)).Count("charge"), (await host.LedgerAsync(accountId)).Count("refund")));
    }

    [Theory]
    [InlineData(MjSubmitFault.BannedPrompt, MjJobFault.None, "content_policy_violation", "banned")]
    [InlineData(MjSubmitFault.Validation, MjJobFault.None, "invalid_parameters", "code 4")]
    [InlineData(MjSubmitFault.None, MjJobFault.Moderation, "content_policy_violation", "Banned prompt detected")]
    [InlineData(MjSubmitFault.None, MjJobFault.Fail, "generation_failed_no_content", "failed to render")]
    [InlineData(MjSubmitFault.None, MjJobFault.ResultsNotImages, "generation_failed_no_content", "not an image")]
    public async Task The_proxys_refusals_and_failures_are_easels_and_refunded_without_trying_another_engine(MjSubmitFault submit, MjJobFault job, string code, string words)
    {
        await using var fake = await NovicezkAsync();
        await using var other = await NovicezkAsync();
        (fake.SubmitFault, fake.JobFault) = (submit, job);
        using var host = Front(Engine("nz", fake.BaseUrl, 1), Engine("other", other.BaseUrl, 2));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["status"]!.GetValue<string>() == "failed", task.ToJsonString());
        Assert.Contains(words, task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        if (job != MjJobFault.ResultsNotImages)
        {
            Assert.Equal(code, task["error"]!["code"]!.GetValue<string>());
        }
        Assert.Empty(other.Tasks);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task A_timeout_is_refunded_and_sends_nothing_to_a_cancel_route_the_proxys_job_running_on()
    {
        await using var fake = await NovicezkAsync();
        fake.JobFault = MjJobFault.NeverFinish;
        var engine = Engine("nz", fake.BaseUrl);
        engine["Easel:Engines:nz:TaskTimeout"] = "00:00:02";
        using var host = Front(engine);
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["error"]?["code"]?.GetValue<string>() == "generation_timeout", task.ToJsonString());
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        Assert.Empty(fake.UnknownRoutes);
        Assert.Equal("IN_PROGRESS", Assert.Single(fake.Tasks.Values).Status);
    }

    [Fact]
    public async Task A_client_cancel_is_refunded_and_sends_nothing_to_a_cancel_route()
    {
        await using var fake = await NovicezkAsync();
        fake.JobFault = MjJobFault.NeverFinish;
        using var host = Front(Engine("nz", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Imagine);
        var id = created["id"]!.GetValue<string>();
        await WaitForAsync(async () => (await client.GetJsonAsync($"/v1/tasks/{id}")).Body["status"]!.GetValue<string>() == "processing"
            && fake.Tasks.Count == 1);

        var (status, cancelled) = await client.PostJsonAsync($"/v1/tasks/{id}/cancel", "{}");

        Assert.Equal(200, status);
        Assert.Equal("request_cancelled", cancelled["error"]!["code"]!.GetValue<string>());
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        Assert.Empty(fake.UnknownRoutes);
        Assert.NotEqual("FAILURE", fake.Tasks.Values.Single().Status);
    }

    [Theory]
    [InlineData("Flavour", "plus", "Easel:Engines:nz: Options:Flavour is 'plus'; it is trueai")]
    [InlineData("BotType", "NIJI_JOURNEY", "Easel:Engines:nz: Options:BotType is for the trueai flavour")]
    public async Task A_wrong_option_is_refused_at_start_naming_the_engine(string option, string value, string words)
    {
        await using var fake = await NovicezkAsync();
        var engine = Engine("nz", fake.BaseUrl);
        engine[$"Easel:Engines:nz:Options:{option}"] = value;

        var error = Assert.ThrowsAny<Exception>(() => { using var host = Front(engine); host.CreateClient(); });

        Assert.Contains(words, error.ToString(), StringComparison.Ordinal);
    }

    // The task in the unified view, whose results are the re-hosted URLs.
    private static async Task<JsonObject> RunUnifiedAsync(HttpClient client, object body, int images) =>
        (await client.GetJsonAsync($"/v1/tasks/{await UpstreamFront.RunUnifiedAsync(client, body, images)}")).Body;

    private static async Task<JsonObject> RunClassicAsync(HttpClient client, object body, int images) =>
        (await client.GetJsonAsync($"/v1/tasks/{await UpstreamFront.RunClassicAsync(client, body, images)}")).Body;
}
