using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Easel.Imaging;
using Easel.Testing.UpstreamFakes;

namespace Easel.Server.Tests.Upstream;

/// <summary>The fake proxy speaks UPSTREAMS.md section 1.1 (trueai-org) and, in its novicezk mode, 1.2 as documented, and fails as documented.</summary>
public sealed class FakeMidjourneyProxyTests
{
    private static HttpClient Client(FakeMidjourneyProxy fake, string? secret = FakeMidjourneyProxy.Secret)
    {
        var client = new HttpClient { BaseAddress = new Uri(fake.BaseUrl) };
        if (secret is not null)
        {
            client.DefaultRequestHeaders.Add("mj-api-secret", secret);
        }
        return client;
    }

    private static async Task<(int Status, JsonNode? Body)> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsync(path, new StringContent(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length > 0 && text[0] is '{' or '[' ? JsonNode.Parse(text) : null);
    }

    private static async Task<JsonObject> DoneAsync(HttpClient client, string id)
    {
        for (var i = 0; i < 300; i++)
        {
            var task = JsonNode.Parse(await client.GetStringAsync($"/mj/task/{id}/fetch"))!.AsObject();
            if (task["status"]!.GetValue<string>() is "SUCCESS" or "FAILURE")
            {
                return task;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("the fake's task did not finish");
    }

    [Fact]
    public async Task Imagine_then_U2_gives_a_grid_with_TIs_buttons_and_an_upscale_painted_as_image_2()
    {
        await using var fake = await FakeMidjourneyProxy.StartAsync();
        using var client = Client(fake);

        var (status, submitted) = await PostAsync(client, "/mj/submit/imagine", new { prompt = "a red vase", state = "k-1" });
        Assert.Equal((200, 1), (status, submitted!["code"]!.GetValue<int>()));
        var grid = await DoneAsync(client, submitted["result"]!.GetValue<string>());

        Assert.Equal(("SUCCESS", "100%", "k-1", 4), (grid["status"]!.GetValue<string>(), grid["progress"]!.GetValue<string>(), grid["state"]!.GetValue<string>(), grid["imageUrls"]!.AsArray().Count));
        var buttons = grid["buttons"]!.AsArray().Select(b => b!["customId"]!.GetValue<string>()).ToList();
        Assert.Equal(9, buttons.Count);
        var u2 = buttons.Single(b => b.StartsWith("MJ::JOB::upsample::2::", StringComparison.Ordinal));
        var picture = ImageCodec.Decode(await client.GetByteArrayAsync(grid["imageUrl"]!.GetValue<string>()));
        Assert.Equal((128, 128), (picture.Width, picture.Height));
        var (r, g, b) = FakeGateway.ColourOf("a red vase", 1);
        var at = ((10 * 128) + 100) * 4;
        Assert.Equal([r, g, b], picture.Pixels[at..(at + 3)]);

        var (_, action) = await PostAsync(client, "/mj/submit/action", new { taskId = grid["id"]!.GetValue<string>(), customId = u2 });
        var upscale = await DoneAsync(client, action!["result"]!.GetValue<string>());
        var one = ImageCodec.Decode(await client.GetByteArrayAsync(upscale["imageUrl"]!.GetValue<string>()));
        Assert.Equal([r, g, b], one.Pixels[..3]);
        Assert.Contains(upscale["buttons"]!.AsArray(), x => x!["label"]!.GetValue<string>() == "Vary (Region)");
    }

    [Fact]
    public async Task Vary_region_answers_21_with_a_modal_task_that_the_modal_starts()
    {
        await using var fake = await FakeMidjourneyProxy.StartAsync();
        fake.WorkTime = TimeSpan.Zero;
        using var client = Client(fake);
        var (_, submitted) = await PostAsync(client, "/mj/submit/imagine", new { prompt = "a boat" });
        var grid = await DoneAsync(client, submitted!["result"]!.GetValue<string>());
        var (_, pressed) = await PostAsync(client, "/mj/submit/action", new { taskId = grid["id"]!.GetValue<string>(), customId = grid["buttons"]![0]!["customId"]!.GetValue<string>() });
        var upscale = await DoneAsync(client, pressed!["result"]!.GetValue<string>());
        var region = upscale["buttons"]!.AsArray().Single(x => x!["label"]!.GetValue<string>() == "Vary (Region)")!["customId"]!.GetValue<string>();

        var (_, modal) = await PostAsync(client, "/mj/submit/action", new { taskId = upscale["id"]!.GetValue<string>(), customId = region });
        Assert.Equal(21, modal!["code"]!.GetValue<int>());
        var modalId = modal["result"]!.GetValue<string>();
        Assert.Equal("MODAL", JsonNode.Parse(await client.GetStringAsync($"/mj/task/{modalId}/fetch"))!["status"]!.GetValue<string>());
        var (_, empty) = await PostAsync(client, "/mj/submit/modal", new { taskId = modalId, prompt = "" });
        Assert.Equal(4, empty!["code"]!.GetValue<int>());
        var mask = Convert.ToBase64String(ImageCodec.EncodePng(new RgbaImage(8, 8)));
        var (_, sent) = await PostAsync(client, "/mj/submit/modal", new { taskId = modalId, prompt = "a red boat", maskBase64 = "data:image/png;base64," + mask });

        Assert.Equal(1, sent!["code"]!.GetValue<int>());
        var done = await DoneAsync(client, modalId);
        Assert.Equal(("SUCCESS", 4), (done["status"]!.GetValue<string>(), done["imageUrls"]!.AsArray().Count));
        Assert.Equal(1, fake.Tasks[modalId].Modals);
    }

    [Fact]
    public async Task Its_documented_refusals_unknown_ids_and_wrong_secret()
    {
        await using var fake = await FakeMidjourneyProxy.StartAsync();
        using var client = Client(fake);
        using var stranger = Client(fake, "wrong");

        using (var refused = await stranger.GetAsync("/mj/task/1/fetch"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        using (var unknown = await client.GetAsync("/mj/task/42/fetch"))
        {
            Assert.Equal(HttpStatusCode.NoContent, unknown.StatusCode);
        }
        var (notFound, missing) = await PostAsync(client, "/mj/submit/action", new { taskId = "42", customId = "MJ::JOB::upsample::1::x" });
        Assert.Equal((404, 3), (notFound, missing!["code"]!.GetValue<int>()));
        foreach (var (fault, code) in new[] { (MjSubmitFault.QueueFull, 9), (MjSubmitFault.BannedPrompt, 24), (MjSubmitFault.Validation, 4) })
        {
            fake.SubmitFault = fault;
            var (status, body) = await PostAsync(client, "/mj/submit/imagine", new { prompt = "nude body" });
            Assert.Equal((200, code), (status, body!["code"]!.GetValue<int>()));
        }
        Assert.Empty(fake.Tasks);
        fake.SubmitFault = MjSubmitFault.None;
        fake.JobFault = MjJobFault.Moderation;
        var (_, ok) = await PostAsync(client, "/mj/submit/imagine", new { prompt = "x" });
        var failed = await DoneAsync(client, ok!["result"]!.GetValue<string>());
        Assert.Equal(("FAILURE", ""), (failed["status"]!.GetValue<string>(), failed["progress"]!.GetValue<string>()));
        Assert.Contains("Banned prompt", failed["failReason"]!.GetValue<string>(), StringComparison.Ordinal);
        var (_, listed) = await PostAsync(client, "/mj/task/list-by-condition", new { ids = new[] { failed["id"]!.GetValue<string>(), "nope" } });
        Assert.Single(listed!.AsArray());
    }

    [Fact]
    public async Task Novicezk_mode_imagine_then_change_U2_and_simple_change_V3_with_NZs_task_shape()
    {
        await using var fake = await FakeMidjourneyProxy.StartAsync(FakeMjFlavour.Novicezk);
        using var client = Client(fake);

        var (status, submitted) = await PostAsync(client, "/mj/submit/imagine", new { prompt = " a red vase ", state = "k-1" });
        Assert.Equal((200, 1), (status, submitted!["code"]!.GetValue<int>()));
        var id = submitted["result"]!.GetValue<string>();
        var grid = await DoneAsync(client, id);

        Assert.Equal(("IMAGINE", "SUCCESS", "100%", "k-1", "/imagine a red vase"), (grid["action"]!.GetValue<string>(), grid["status"]!.GetValue<string>(),
            grid["progress"]!.GetValue<string>(), grid["state"]!.GetValue<string>(), grid["description"]!.GetValue<string>()));
        Assert.False(grid.ContainsKey("buttons") || grid.ContainsKey("imageUrls") || grid.ContainsKey("parentId"), grid.ToJsonString());
        var picture = ImageCodec.Decode(await client.GetByteArrayAsync(grid["imageUrl"]!.GetValue<string>()));
        Assert.Equal((128, 128), (picture.Width, picture.Height));

        var (_, change) = await PostAsync(client, "/mj/submit/change", new { taskId = id, action = "UPSCALE", index = 2, state = "k-2" });
        Assert.Equal(1, change!["code"]!.GetValue<int>());
        var upscale = await DoneAsync(client, change["result"]!.GetValue<string>());
        Assert.Equal(("UPSCALE", $"/up {id} U2", "k-2"), (upscale["action"]!.GetValue<string>(), upscale["description"]!.GetValue<string>(), upscale["state"]!.GetValue<string>()));
        var one = ImageCodec.Decode(await client.GetByteArrayAsync(upscale["imageUrl"]!.GetValue<string>()));
        var (r, g, b) = FakeGateway.ColourOf("a red vase", 1);
        Assert.Equal((FakeMidjourneyProxy.Side, r, g, b), (one.Width, one.Pixels[0], one.Pixels[1], one.Pixels[2]));

        var (_, simple) = await PostAsync(client, "/mj/submit/simple-change", new { content = $"{id} V3", state = "k-3" });
        var variation = await DoneAsync(client, simple!["result"]!.GetValue<string>());
        Assert.Equal(("VARIATION", $"/up {id} V3", "k-3"), (variation["action"]!.GetValue<string>(), variation["description"]!.GetValue<string>(), variation["state"]!.GetValue<string>()));
        Assert.Equal((id, 3), (fake.Tasks[variation["id"]!.GetValue<string>()].ParentId, fake.Tasks[variation["id"]!.GetValue<string>()].Index));
        Assert.Equal(["imagine", "change", "simple-change"], fake.Submissions.Select(s => s.Route));
    }

    [Fact]
    public async Task Novicezk_mode_refuses_a_change_of_an_upscale_or_unfinished_or_unknown_parent_with_NZs_codes()
    {
        await using var fake = await FakeMidjourneyProxy.StartAsync(FakeMjFlavour.Novicezk);
        using var client = Client(fake);
        fake.JobFault = MjJobFault.NeverFinish;
        var (_, stuck) = await PostAsync(client, "/mj/submit/imagine", new { prompt = "a boat" });
        var (early, running) = await PostAsync(client, "/mj/submit/change", new { taskId = stuck!["result"]!.GetValue<string>(), action = "VARIATION", index = 1 });
        Assert.Equal((200, 4, "关联任务状态错误"), (early, running!["code"]!.GetValue<int>(), running["description"]!.GetValue<string>()));
        fake.JobFault = MjJobFault.None;
        var (_, submitted) = await PostAsync(client, "/mj/submit/imagine", new { prompt = "a boat" });
        var id = submitted!["result"]!.GetValue<string>();
        await DoneAsync(client, id);
        var (_, up) = await PostAsync(client, "/mj/submit/change", new { taskId = id, action = "UPSCALE", index = 1 });
        var upscale = await DoneAsync(client, up!["result"]!.GetValue<string>());

        foreach (var action in new[] { "UPSCALE", "VARIATION" })
        {
            var (status, refused) = await PostAsync(client, "/mj/submit/change", new { taskId = upscale["id"]!.GetValue<string>(), action, index = 1 });
            Assert.Equal((200, 4, "关联任务不允许执行变化"), (status, refused!["code"]!.GetValue<int>(), refused["description"]!.GetValue<string>()));
        }
        var (unknown, missing) = await PostAsync(client, "/mj/submit/change", new { taskId = "42", action = "UPSCALE", index = 1 });
        Assert.Equal((200, 3), (unknown, missing!["code"]!.GetValue<int>()));
        var (_, pan) = await PostAsync(client, "/mj/submit/change", new { taskId = id, action = "DESCRIBE", index = 1 });
        Assert.Equal(4, pan!["code"]!.GetValue<int>());
        var (notAnAction, _) = await PostAsync(client, "/mj/submit/change", new { taskId = id, action = "PAN", index = 1 });
        Assert.Equal(400, notAnAction);
        var (_, badContent) = await PostAsync(client, "/mj/submit/simple-change", new { content = $"{id} U5" });
        Assert.Equal(("content参数错误", 4), (badContent!["description"]!.GetValue<string>(), badContent["code"]!.GetValue<int>()));
        Assert.Equal(3, fake.Tasks.Count);
    }

    [Fact]
    public async Task Novicezk_mode_has_no_action_modal_or_cancel_route_answers_401_without_a_body_and_fails_as_documented()
    {
        await using var fake = await FakeMidjourneyProxy.StartAsync(FakeMjFlavour.Novicezk);
        using var client = Client(fake);
        using var stranger = Client(fake, "wrong");
        using var bearer = new HttpClient { BaseAddress = new Uri(fake.BaseUrl) };
        bearer.DefaultRequestHeaders.Add("Authorization", FakeMidjourneyProxy.Secret);

        foreach (var path in new[] { "/mj/submit/action", "/mj/submit/modal", "/mj/task/1/cancel" })
        {
            var (status, body) = await PostAsync(client, path, new { taskId = "1" });
            Assert.Equal((404, "Not Found", path), (status, body!["error"]!.GetValue<string>(), body["path"]!.GetValue<string>()));
        }
        Assert.Equal(3, fake.UnknownRoutes.Count);
        foreach (var anonymous in new[] { stranger, bearer })
        {
            using var refused = await anonymous.GetAsync("/mj/task/1/fetch");
            Assert.Equal((HttpStatusCode.Unauthorized, ""), (refused.StatusCode, await refused.Content.ReadAsStringAsync()));
        }
        using (var unknown = await client.GetAsync("/mj/task/42/fetch"))
        {
            Assert.Equal((HttpStatusCode.OK, ""), (unknown.StatusCode, await unknown.Content.ReadAsStringAsync()));
        }
        foreach (var (fault, code) in new[] { (MjSubmitFault.QueueFull, 23), (MjSubmitFault.BannedPrompt, 24), (MjSubmitFault.Validation, 4) })
        {
            fake.SubmitFault = fault;
            var (status, body) = await PostAsync(client, "/mj/submit/imagine", new { prompt = "nude body" });
            Assert.Equal((200, code), (status, body!["code"]!.GetValue<int>()));
        }
        fake.SubmitFault = MjSubmitFault.ServerError;
        var (serverError, error) = await PostAsync(client, "/mj/submit/imagine", new { prompt = "x" });
        Assert.Equal((500, 500), (serverError, error!["status"]!.GetValue<int>()));
        Assert.Empty(fake.Tasks);

        fake.SubmitFault = MjSubmitFault.None;
        fake.JobFault = MjJobFault.NeverFinish;
        fake.NzTimeout = TimeSpan.FromMilliseconds(200);
        fake.WorkTime = TimeSpan.Zero;
        var (_, ok) = await PostAsync(client, "/mj/submit/imagine", new { prompt = "x" });
        var timedOut = await DoneAsync(client, ok!["result"]!.GetValue<string>());
        Assert.Equal(("FAILURE", "任务超时", ""), (timedOut["status"]!.GetValue<string>(), timedOut["failReason"]!.GetValue<string>(), timedOut["progress"]!.GetValue<string>()));
    }
}
