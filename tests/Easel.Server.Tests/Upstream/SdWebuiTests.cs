using System.Text.Json.Nodes;
using Easel.Core.Tasks;
using Easel.Imaging;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing.UpstreamFakes;
using Easel.Testing;

using static Easel.Server.Tests.Upstream.UpstreamFront;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// The sd-webui engine against a fake A1111 server (UPSTREAMS.md section 2): a synchronous API fitted to Easel's
/// asynchronous tasks. What the task becomes, what the account is charged, what the upstream received.
/// </summary>
public sealed class SdWebuiTests
{

    internal static Dictionary<string, string?> Engine(string name, string baseUrl, int priority = 100) => new()
    {
        [$"Easel:Engines:{name}:Type"] = "sd-webui",
        [$"Easel:Engines:{name}:BaseUrl"] = baseUrl,
        [$"Easel:Engines:{name}:ApiKey"] = FakeSdWebui.ApiKey,
        [$"Easel:Engines:{name}:Priority"] = priority.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"Easel:Engines:{name}:PollInterval"] = "00:00:00.100",
        // Small images keep the tests quick.
        [$"Easel:Engines:{name}:Options:Width"] = "64",
        [$"Easel:Engines:{name}:Options:Height"] = "64",
        [$"Easel:Engines:{name}:Options:NegativePrompt"] = "blurry",
        [$"Easel:Engines:{name}:Options:Sampler"] = "Euler a",
    };

    [Fact]
    public async Task Imagine_sends_the_prompt_and_the_tasks_seed_and_serves_four_rehosted_images_painted_from_them()
    {
        await using var fake = await FakeSdWebui.StartAsync();
        using var host = Front(Engine("sd", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        Assert.Equal("sd", task["engine"]!.GetValue<string>());
        var call = Assert.Single(fake.Calls);
        Assert.Equal(("txt2img", Prompt, "blurry", 4, 64, 64, 30, "Euler a"),
            (call.Route, call.Prompt, call.NegativePrompt, call.BatchSize, call.Width, call.Height, call.Steps, call.Sampler));
        Assert.Equal(TaskIds.SeedOf(task["id"]!.GetValue<string>()), call.Seed);
        var results = task["results"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.Equal(4, results.Count);
        for (var n = 0; n < 4; n++)
        {
            Assert.StartsWith("http://localhost/files/", results[n], StringComparison.Ordinal);
            var image = ImageCodec.Decode(await client.DownloadAsync(results[n]));
            var (r, g, b) = FakeSdWebui.Colour(Prompt, call.Seed + n);
            Assert.Equal([r, g, b, 255], image.Pixels[..4]);
        }
        var ledger = await host.LedgerAsync(accountId);
        Assert.Equal((1, 0), (ledger.Count("charge"), ledger.Count("refund")));
    }

    [Fact]
    public async Task Midjourney_parameters_in_the_prompt_become_the_size_negative_prompt_and_seed_instead_of_words()
    {
        await using var fake = await FakeSdWebui.StartAsync();
        var engine = Engine("sd", fake.BaseUrl);
        (engine["Easel:Engines:sd:Options:Width"], engine["Easel:Engines:sd:Options:Height"]) = ("256", "256");
        using var host = Front(engine);
        var (_, client) = await AccountAsync(host);

        var task = await RunAsync(client, """{"model": "mj-v7", "prompt": "a harbour at dusk --ar 16:9 --no people --seed 42 --v 7 --stylize 250"}""");

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        var call = Assert.Single(fake.Calls);
        // 256x256 configured: about as many pixels in 16:9, on A1111's grid of 8.
        Assert.Equal(("a harbour at dusk", "blurry, people", 42L, 344, 192), (call.Prompt, call.NegativePrompt, call.Seed, call.Width, call.Height));
    }

    [Fact]
    public async Task Inpaint_of_an_earlier_result_sends_its_pixels_and_a_mask_white_where_the_polygon_is()
    {
        await using var fake = await FakeSdWebui.StartAsync();
        using var host = Front(Engine("sd", fake.BaseUrl));
        var (_, client) = await AccountAsync(host);
        var imagineTask = await RunAsync(client);
        var source = Assert.Single(fake.Calls);

        // The top-left quarter, drawn in a 500x500 frame that scales onto the 64x64 source.
        var inpaint = new JsonObject
        {
            ["model"] = "mj-v7-inpaint",
            ["prompt"] = "a red vase",
            ["model_params"] = new JsonObject
            {
                ["task_id"] = imagineTask["id"]!.GetValue<string>(),
                ["image_number"] = 2,
                ["mask"] = JsonNode.Parse("""{"areas": [{"width": 500, "height": 500, "points": [0, 0, 250, 0, 250, 250, 0, 250]}]}"""),
            },
        };
        var task = await RunAsync(client, inpaint.ToJsonString());

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        var edit = fake.Calls.Single(c => c.Route == "img2img");
        Assert.Equal(("a red vase", 4, 64, 64, 0.75m, 1), (edit.Prompt, edit.BatchSize, edit.Width, edit.Height, edit.Denoising, edit.InpaintingFill));
        var (r, g, b) = FakeSdWebui.Colour(Prompt, source.Seed + 2);
        Assert.Equal([r, g, b], edit.Init!.Pixels[..3]);
        var mask = edit.Mask!;
        for (var y = 0; y < 64; y += 3)
        {
            for (var x = 0; x < 64; x += 3)
            {
                var value = mask.Pixels[((y * 64) + x) * 4];
                Assert.True(!(x < 31 && y < 31) || value == 255, $"({x},{y}) is under Easel's mask and must be white, value {value}");
                Assert.True(!(x > 33 || y > 33) || value == 0, $"({x},{y}) is outside Easel's mask and must be black, value {value}");
            }
        }
        var first = ImageCodec.Decode(await client.DownloadAsync(task["results"]![0]!.GetValue<string>()));
        var painted = FakeSdWebui.Colour("a red vase", edit.Seed);
        Assert.Equal([painted.R, painted.G, painted.B], first.Pixels[..3]);
    }

    [Fact]
    public async Task Outpaint_sends_the_source_centred_on_the_larger_canvas_with_the_new_border_masked_and_filled()
    {
        await using var fake = await FakeSdWebui.StartAsync();
        using var host = Front(Engine("sd", fake.BaseUrl));
        var (_, client) = await AccountAsync(host);
        var imagined = await RunAsync(client);

        var outpaint = new { model = "mj-v7-outpaint", model_params = new { task_id = imagined["id"]!.GetValue<string>(), image_number = 0, scale = 1.5 } };
        var task = await RunAsync(client, System.Text.Json.JsonSerializer.Serialize(outpaint));

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        var call = fake.Calls.Single(c => c.Route == "img2img");
        Assert.Equal(("", 96, 96, 0, 0.75m), (call.Prompt, call.Width, call.Height, call.InpaintingFill, call.Denoising));
        Assert.Equal((96, 96, 96, 96), (call.Init!.Width, call.Init.Height, call.Mask!.Width, call.Mask.Height));
        byte Value(int x, int y) => call.Mask.Pixels[((y * 96) + x) * 4];
        // The 64x64 source sits at (16, 16): its pixels are kept, the 16-pixel border around it is repainted.
        Assert.Equal((255, 255, 255, 255), (Value(2, 50), Value(50, 2), Value(90, 50), Value(50, 90)));
        Assert.Equal((0, 0, 0), (Value(20, 20), Value(48, 48), Value(76, 76)));
        var source = fake.Calls[0];
        var (r, g, b) = FakeSdWebui.Colour(Prompt, source.Seed);
        Assert.Equal([r, g, b, 255], call.Init.Pixels[(((48 * 96) + 48) * 4)..((((48 * 96) + 48) * 4) + 4)]);
        var result = ImageCodec.Decode(await client.DownloadAsync(task["results"]![0]!.GetValue<string>()));
        Assert.Equal((96, 96), (result.Width, result.Height));
    }

    [Fact]
    public async Task A_call_that_never_answers_times_out_is_refunded_aborted_and_interrupted()
    {
        await using var fake = await FakeSdWebui.StartAsync();
        fake.Behaviour = SdWebuiBehaviour.Slow;
        var engine = Engine("sd", fake.BaseUrl);
        engine["Easel:Engines:sd:TaskTimeout"] = "00:00:03";
        using var host = Front(engine);
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["error"]!["code"]!.GetValue<string>() == "generation_timeout", task.ToJsonString());
        Assert.Contains("interrupted", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        await WaitForAsync(() => Assert.Single(fake.Calls).Aborted);
        // Once: whichever gave the call up (its own timeout or the poller's), nothing interrupts a second time.
        await Task.Delay(500);
        Assert.Equal(1, fake.Interrupts);
    }

    [Fact]
    public async Task Cancelling_a_waiting_task_refunds_it_aborts_the_call_and_interrupts_once()
    {
        await using var fake = await FakeSdWebui.StartAsync();
        fake.Behaviour = SdWebuiBehaviour.Slow;
        using var host = Front(Engine("sd", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Imagine);
        await WaitForAsync(() => fake.Calls.Count == 1);

        var (status, cancelled) = await client.PostJsonAsync($"/v1/tasks/{created["id"]!.GetValue<string>()}/cancel", "{}");

        Assert.Equal(200, status);
        Assert.Equal("request_cancelled", cancelled["error"]!["code"]!.GetValue<string>());
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        await WaitForAsync(() => Assert.Single(fake.Calls).Aborted && fake.Interrupts == 1);
        await Task.Delay(300);
        Assert.Equal(1, fake.Interrupts);
    }

    [Fact]
    public async Task A_422_is_invalid_parameters_with_the_details_message_and_refunded()
    {
        await using var fake = await FakeSdWebui.StartAsync();
        fake.Behaviour = SdWebuiBehaviour.Invalid;
        await using var other = await FakeSdWebui.StartAsync();
        using var host = Front(Engine("sd", fake.BaseUrl, priority: 1), Engine("other", other.BaseUrl, priority: 2));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["error"]!["code"]!.GetValue<string>() == "invalid_parameters", task.ToJsonString());
        Assert.Contains("body.steps: ensure this value is less than or equal to 150", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(other.Calls);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task An_unknown_sampler_is_invalid_parameters()
    {
        await using var fake = await FakeSdWebui.StartAsync();
        var engine = Engine("sd", fake.BaseUrl);
        engine["Easel:Engines:sd:Options:Sampler"] = "Heun Deluxe";
        using var host = Front(engine);
        var (_, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["error"]!["code"]!.GetValue<string>() == "invalid_parameters", task.ToJsonString());
        Assert.Contains("Sampler not found", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SdWebuiBehaviour.Unauthorized)]
    [InlineData(SdWebuiBehaviour.ServerError)]
    public async Task A_quick_upstream_failure_goes_to_the_next_engine(SdWebuiBehaviour behaviour)
    {
        await using var broken = await FakeSdWebui.StartAsync();
        broken.Behaviour = behaviour;
        await using var good = await FakeSdWebui.StartAsync();
        using var host = Front(Engine("broken", broken.BaseUrl, priority: 1), Engine("good", good.BaseUrl, priority: 2));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        Assert.Equal("good", task["engine"]!.GetValue<string>());
        Assert.Equal(100m - 5.4m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task A_server_error_after_the_call_was_accepted_fails_the_task_service_error_refunded()
    {
        await using var broken = await FakeSdWebui.StartAsync();
        broken.Behaviour = SdWebuiBehaviour.ServerError;
        broken.WorkTime = TimeSpan.FromSeconds(1);
        await using var other = await FakeSdWebui.StartAsync();
        var engine = Engine("broken", broken.BaseUrl, priority: 1);
        engine["Easel:Engines:broken:Options:FailFastWindow"] = "00:00:00.100";
        using var host = Front(engine, Engine("other", other.BaseUrl, priority: 2));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["error"]!["code"]!.GetValue<string>() == "service_error", task.ToJsonString());
        Assert.Contains("CUDA out of memory", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(other.Calls);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task Results_that_are_not_images_fail_service_error_refunded_and_nothing_is_stored()
    {
        await using var fake = await FakeSdWebui.StartAsync();
        fake.Behaviour = SdWebuiBehaviour.ResultsNotImages;
        using var host = Front(Engine("sd", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["error"]!["code"]!.GetValue<string>() == "service_error", task.ToJsonString());
        Assert.Contains("not an image", task["error"]!["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        var files = Path.Combine(host.DataDirectory, "files");
        Assert.Empty(Directory.Exists(files) ? Directory.EnumerateFiles(files, "*", SearchOption.AllDirectories) : []);
    }

    // Polls ten minutes apart: only the end of the call itself can complete these tasks within the test's 30 s.
    [Theory]
    [InlineData(0)] // ends inside the submission's fail-fast window, before the job is recorded
    [InlineData(2500)] // ends after the job was recorded and is waiting
    public async Task A_call_that_ends_completes_its_task_at_once_not_at_the_next_scheduled_poll(int workMilliseconds)
    {
        await using var fake = await FakeSdWebui.StartAsync();
        fake.WorkTime = TimeSpan.FromMilliseconds(workMilliseconds);
        var engine = Engine("sd", fake.BaseUrl);
        engine["Easel:Engines:sd:PollInterval"] = "00:10:00";
        engine["Easel:Engines:sd:SlowPollInterval"] = "00:10:00";
        using var host = Front(engine);
        var (_, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        Assert.Equal(4, task["results"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("ApiKey", "just-a-token", "Easel:Engines:sd: ApiKey of an sd-webui engine is user:password")]
    [InlineData("Options:Width", "100", "A1111 renders multiples of 8")]
    [InlineData("Options:DenoisingRemixStrong", "1.5", "Options:DenoisingRemixStrong is '1.5'; it is a number from 0 to 1")]
    [InlineData("Options:Steps", "0", "Options:Steps is '0'")]
    public void A_bad_sd_webui_entry_stops_the_start_with_a_message_that_names_it(string setting, string value, string message)
    {
        var engine = Engine("sd", "http://127.0.0.1:9");
        engine[$"Easel:Engines:sd:{setting}"] = value;
        using var host = Front(engine);

        var error = Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(FakeSdWebui.Password, error.ToString(), StringComparison.Ordinal);
    }

}
