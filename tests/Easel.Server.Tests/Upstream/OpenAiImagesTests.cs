using System.Text.Json.Nodes;
using Easel.Imaging;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing.UpstreamFakes;
using Easel.Testing;

using static Easel.Server.Tests.Upstream.UpstreamFront;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// The openai-images engine against a fake OpenAI Images server (UPSTREAMS.md section 4): a synchronous API fitted to
/// Easel's asynchronous tasks. What the task becomes, what the account is charged, what the upstream received.
/// </summary>
public sealed class OpenAiImagesTests
{

    internal static Dictionary<string, string?> Engine(string name, string baseUrl, int priority = 100) => new()
    {
        [$"Easel:Engines:{name}:Type"] = "openai-images",
        [$"Easel:Engines:{name}:BaseUrl"] = baseUrl,
        [$"Easel:Engines:{name}:ApiKey"] = FakeOpenAiImages.Key,
        [$"Easel:Engines:{name}:Priority"] = priority.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"Easel:Engines:{name}:PollInterval"] = "00:00:00.100",
        // Small images keep the tests quick; the size goes to the upstream as it is.
        [$"Easel:Engines:{name}:Options:Size"] = "64x64",
    };

    [Fact]
    public async Task Imagine_sends_the_prompt_and_serves_four_rehosted_images_painted_from_it()
    {
        await using var fake = await FakeOpenAiImages.StartAsync();
        using var host = Front(Engine("openai", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        Assert.Equal("openai", task["engine"]!.GetValue<string>());
        var call = Assert.Single(fake.Calls);
        Assert.Equal(("generations", "gpt-image-1", Prompt, 4, "64x64"), (call.Route, call.Model, call.Prompt, call.N, call.Size));
        var results = task["results"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.Equal(4, results.Count);
        for (var n = 0; n < 4; n++)
        {
            Assert.StartsWith("http://localhost/files/", results[n], StringComparison.Ordinal);
            var image = ImageCodec.Decode(await client.DownloadAsync(results[n]));
            var (r, g, b) = FakeGateway.ColourOf(Prompt, n);
            Assert.Equal([r, g, b, 255], image.Pixels[..4]);
        }
        var ledger = await host.LedgerAsync(accountId);
        Assert.Equal(1, ledger.Count("charge"));
        Assert.Equal(0, ledger.Count("refund"));
        using var admin = host.Admin();
        var (_, usage) = await admin.GetJsonAsync($"/admin/accounts/{accountId}/usage");
        var engine = Assert.Single(usage["by_engine"]!.AsArray())!;
        Assert.Equal(4050m, engine["upstream_cost"]!["amount"]!.GetValue<decimal>());
        Assert.Equal("tokens", engine["upstream_cost"]!["unit"]!.GetValue<string>());
    }

    [Fact]
    public async Task Inpaint_of_an_earlier_result_sends_its_pixels_and_a_mask_transparent_where_the_polygon_is()
    {
        await using var fake = await FakeOpenAiImages.StartAsync();
        using var host = Front(Engine("openai", fake.BaseUrl));
        var (_, client) = await AccountAsync(host);
        var imagined = await RunAsync(client);

        // The top-left quarter, drawn in a 500x500 frame that scales onto the 64x64 source.
        var inpaint = new JsonObject
        {
            ["model"] = "mj-v7-inpaint",
            ["prompt"] = "a red vase",
            ["model_params"] = new JsonObject
            {
                ["task_id"] = imagined["id"]!.GetValue<string>(),
                ["image_number"] = 2,
                ["mask"] = JsonNode.Parse("""{"areas": [{"width": 500, "height": 500, "points": [0, 0, 250, 0, 250, 250, 0, 250]}]}"""),
            },
        };
        var task = await RunAsync(client, inpaint.ToJsonString());

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        var edit = fake.Calls.Single(c => c.Route == "edits");
        Assert.Equal(("a red vase", 4), (edit.Prompt, edit.N));
        var (r, g, b) = FakeGateway.ColourOf(Prompt, 2);
        Assert.Equal([r, g, b], edit.Image!.Pixels[..3]);
        var mask = edit.Mask!;
        Assert.Equal((64, 64), (mask.Width, mask.Height));
        for (var y = 0; y < 64; y += 3)
        {
            for (var x = 0; x < 64; x += 3)
            {
                var inside = x < 31 && y < 31;
                var outside = x > 33 || y > 33;
                var alpha = mask.Pixels[(((y * 64) + x) * 4) + 3];
                Assert.True(!inside || alpha == 0, $"({x},{y}) is under Easel's mask and must be transparent, alpha {alpha}");
                Assert.True(!outside || alpha == 255, $"({x},{y}) is outside Easel's mask and must be opaque, alpha {alpha}");
            }
        }
        var first = ImageCodec.Decode(await client.DownloadAsync(task["results"]![0]!.GetValue<string>()));
        var painted = FakeGateway.ColourOf("a red vase", 0);
        Assert.Equal([painted.R, painted.G, painted.B], first.Pixels[..3]);
    }

    [Fact]
    public async Task Midjourney_parameters_in_the_prompt_choose_the_size_and_are_said_in_words_not_sent_as_text()
    {
        await using var fake = await FakeOpenAiImages.StartAsync();
        var engine = Engine("openai", fake.BaseUrl);
        engine.Remove("Easel:Engines:openai:Options:Size");
        using var host = Front(engine);
        var (_, client) = await AccountAsync(host);

        var task = await RunAsync(client, """{"model": "mj-v7", "prompt": "a harbour at dusk --ar 3:2 --no people --v 7"}""");

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        var call = Assert.Single(fake.Calls);
        Assert.Equal(("a harbour at dusk. Avoid: people.", "1536x1024"), (call.Prompt, call.Size));
    }

    [Fact]
    public async Task Upload_paint_sends_the_composed_canvas_with_uncovered_and_masked_pixels_transparent_in_the_mask()
    {
        await using var fake = await FakeOpenAiImages.StartAsync();
        await using var images = await ImageServer.StartAsync();
        // The client's image is on loopback: this host lets the guard fetch it (the engine's own address is allowed anyway).
        using var host = new EaselHost(Engine("openai", fake.BaseUrl));
        var (_, client) = await AccountAsync(host);
        var url = images.Serve("/a.png", TestImages.PatternPng(16, 16));

        // A 128x128 canvas, the image at 64x64 from (32, 32), a polygon around (38..58, 38..58).
        var (status, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url));
        Assert.True(status == 200, created.ToJsonString());
        var (task, _) = await client.UnifiedDoneAsync(created["id"]!.GetValue<string>(), TimeSpan.FromSeconds(30));

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        var edit = Assert.Single(fake.Calls);
        Assert.Equal(("edits", "a quiet harbour"), (edit.Route, edit.Prompt));
        Assert.Equal((128, 128, 128, 128), (edit.Image!.Width, edit.Image.Height, edit.Mask!.Width, edit.Mask.Height));
        byte Alpha(RgbaImage image, int x, int y) => image.Pixels[(((y * image.Width) + x) * 4) + 3];
        Assert.Equal((0, 255), (Alpha(edit.Image, 5, 5), Alpha(edit.Image, 80, 80)));
        Assert.Equal(0, Alpha(edit.Mask, 5, 5));      // uncovered canvas: painted
        Assert.Equal(0, Alpha(edit.Mask, 120, 60));   // uncovered canvas: painted
        Assert.Equal(0, Alpha(edit.Mask, 48, 48));    // under the polygon: painted
        Assert.Equal(255, Alpha(edit.Mask, 80, 80));  // the placed image outside the polygon: kept
        Assert.Equal(255, Alpha(edit.Mask, 34, 90));  // kept
    }

    [Fact]
    public async Task A_call_that_never_answers_times_out_is_refunded_and_is_aborted()
    {
        await using var fake = await FakeOpenAiImages.StartAsync();
        fake.Behaviour = OpenAiBehaviour.Slow;
        var engine = Engine("openai", fake.BaseUrl);
        engine["Easel:Engines:openai:TaskTimeout"] = "00:00:03";
        using var host = Front(engine);
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["error"]!["code"]!.GetValue<string>() == "generation_timeout", task.ToJsonString());
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        await WaitForAsync(() => Assert.Single(fake.Calls).Aborted);
    }

    [Fact]
    public async Task Moderation_is_content_policy_violation_and_refunded()
    {
        await using var fake = await FakeOpenAiImages.StartAsync();
        fake.Behaviour = OpenAiBehaviour.Moderation;
        using var host = Front(Engine("openai", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["error"]!["code"]!.GetValue<string>() == "content_policy_violation", task.ToJsonString());
        Assert.Contains("safety system", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Theory]
    [InlineData(OpenAiBehaviour.ServerError)]
    [InlineData(OpenAiBehaviour.RateLimited)]
    [InlineData(OpenAiBehaviour.Unauthorized)]
    public async Task A_quick_upstream_failure_goes_to_the_next_engine(OpenAiBehaviour behaviour)
    {
        await using var broken = await FakeOpenAiImages.StartAsync();
        broken.Behaviour = behaviour;
        await using var good = await FakeOpenAiImages.StartAsync();
        using var host = Front(Engine("broken", broken.BaseUrl, priority: 1), Engine("good", good.BaseUrl, priority: 2));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        Assert.Equal("good", task["engine"]!.GetValue<string>());
        Assert.Single(broken.Calls);
        Assert.Equal(100m - 5.4m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task A_failure_after_the_call_was_accepted_fails_the_task_with_the_upstreams_reason_and_refunds_it()
    {
        await using var broken = await FakeOpenAiImages.StartAsync();
        broken.Behaviour = OpenAiBehaviour.ServerError;
        broken.WorkTime = TimeSpan.FromSeconds(1);
        await using var other = await FakeOpenAiImages.StartAsync();
        var engine = Engine("broken", broken.BaseUrl, priority: 1);
        engine["Easel:Engines:broken:Options:FailFastWindow"] = "00:00:00.100";
        using var host = Front(engine, Engine("other", other.BaseUrl, priority: 2));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["error"]!["code"]!.GetValue<string>() == "service_error", task.ToJsonString());
        Assert.Contains("HTTP 500", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(other.Calls);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task Results_that_are_not_images_fail_service_error_refunded_and_nothing_is_stored()
    {
        await using var fake = await FakeOpenAiImages.StartAsync();
        fake.Behaviour = OpenAiBehaviour.ResultsNotImages;
        using var host = Front(Engine("openai", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["error"]!["code"]!.GetValue<string>() == "service_error", task.ToJsonString());
        Assert.Contains("not an image", task["error"]!["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        var files = Path.Combine(host.DataDirectory, "files");
        Assert.Empty(Directory.Exists(files) ? Directory.EnumerateFiles(files, "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public async Task A_single_image_model_is_called_once_per_image_with_base64_asked_for()
    {
        await using var fake = await FakeOpenAiImages.StartAsync();
        var engine = Engine("openai", fake.BaseUrl);
        engine["Easel:Engines:openai:Options:Model"] = "dall-e-3";
        using var host = Front(engine);
        var (_, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        Assert.Equal(4, fake.Calls.Count);
        Assert.All(fake.Calls, c => Assert.Equal(("dall-e-3", 1), (c.Model, c.N)));
    }

    [Fact]
    public async Task Cancelling_a_waiting_task_refunds_it_and_aborts_the_call()
    {
        await using var fake = await FakeOpenAiImages.StartAsync();
        fake.Behaviour = OpenAiBehaviour.Slow;
        using var host = Front(Engine("openai", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Imagine);
        var id = created["id"]!.GetValue<string>();
        await WaitForAsync(() => fake.Calls.Count == 1);

        var (status, cancelled) = await client.PostJsonAsync($"/v1/tasks/{id}/cancel", "{}");

        Assert.Equal(200, status);
        Assert.Equal("request_cancelled", cancelled["error"]!["code"]!.GetValue<string>());
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        await WaitForAsync(() => Assert.Single(fake.Calls).Aborted);
    }

}
