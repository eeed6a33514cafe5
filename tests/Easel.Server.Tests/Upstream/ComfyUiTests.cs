using System.Text.Json.Nodes;
using Easel.Core.Tasks;
using Easel.Engines.Upstream.ComfyUi;
using Easel.Imaging;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;
using Easel.Testing.UpstreamFakes;

using static Easel.Server.Tests.Upstream.UpstreamFront;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// The comfyui engine against a fake ComfyUI (UPSTREAMS.md section 3) with the sample workflows of samples/comfyui:
/// what the task becomes, what the account is charged, what the upstream received and ran.
/// </summary>
public sealed class ComfyUiTests
{
    private static string Sample(string name) => Path.Combine(ComfyWorkflowTests.Samples, name);

    internal static Dictionary<string, string?> Engine(string name, string baseUrl, int priority = 100, string separator = ":")
    {
        string Key(string setting) => $"Easel{separator}Engines{separator}{name}{separator}{setting.Replace(":", separator, StringComparison.Ordinal)}";
        var engine = new Dictionary<string, string?>
        {
            [Key("Type")] = "comfyui",
            [Key("BaseUrl")] = baseUrl,
            [Key("Priority")] = priority.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [Key("PollInterval")] = "00:00:00.100",
            [Key("Options:Width")] = "64",
            [Key("Options:Height")] = "64",
            [Key("Options:NegativePrompt")] = "blurry",
            [Key("Workflows:imagine")] = Sample("txt2img.json"),
            [Key("Workflows:remix")] = Sample("img2img.json"),
            [Key("Workflows:variation")] = Sample("img2img.json"),
            // Both forms of the mask: an alpha hole for LoadImage, and a mask image for LoadImageMask.
            [Key("Workflows:inpaint")] = Sample("inpaint.json"),
            [Key("Workflows:upload-paint")] = Sample("inpaint.json"),
            [Key("Workflows:outpaint")] = Sample("inpaint.json"),
            [Key("Workflows:pan")] = Sample("inpaint.json"),
            [Key("Workflows:edit")] = Sample("inpaint-mask.json"),
        };
        return engine;
    }

    private static async Task AssertColourAsync(HttpClient client, string url, string prompt, long seed, int n)
    {
        var image = ImageCodec.Decode(await client.DownloadAsync(url));
        var (r, g, b) = FakeComfyUi.Colour(prompt, seed, n);
        Assert.Equal([r, g, b, 255], image.Pixels[..4]);
    }

    [Fact]
    public async Task Imagine_fills_the_workflow_with_the_prompt_seed_size_and_batch_and_serves_four_rehosted_images()
    {
        await using var fake = await FakeComfyUi.StartAsync();
        using var host = Front(Engine("comfy", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        Assert.Equal("comfy", task["engine"]!.GetValue<string>());
        var prompt = Assert.Single(fake.Prompts);
        Assert.Equal((Prompt, 4, 64, 64, ComfyUiProtocol.ClientId), (prompt.Prompt, prompt.Count, prompt.Width, prompt.Height, prompt.ClientId));
        Assert.Equal(TaskIds.SeedOf(task["id"]!.GetValue<string>()), prompt.Seed);
        Assert.Equal("blurry", prompt.Graph["3"]!["inputs"]!["text"]!.GetValue<string>());
        var results = task["results"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.Equal(4, results.Count);
        for (var n = 0; n < 4; n++)
        {
            Assert.StartsWith("http://localhost/files/", results[n], StringComparison.Ordinal);
            await AssertColourAsync(client, results[n], Prompt, prompt.Seed, n);
        }
        var ledger = await host.LedgerAsync(accountId);
        Assert.Equal((1, 0), (ledger.Count("charge"), ledger.Count("refund")));
    }

    [Fact]
    public async Task Midjourney_parameters_in_the_prompt_fill_the_size_negative_prompt_and_seed_instead_of_the_words()
    {
        await using var fake = await FakeComfyUi.StartAsync();
        var engine = Engine("comfy", fake.BaseUrl);
        (engine["Easel:Engines:comfy:Options:Width"], engine["Easel:Engines:comfy:Options:Height"]) = ("256", "256");
        using var host = Front(engine);
        var (_, client) = await AccountAsync(host);

        var task = await RunAsync(client, """{"model": "mj-v7", "prompt": "a harbour at dusk --ar 16:9 --no people --seed 42 --v 7"}""");

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        var prompt = Assert.Single(fake.Prompts);
        Assert.Equal(("a harbour at dusk", 42L, 344, 192), (prompt.Prompt, prompt.Seed, prompt.Width, prompt.Height));
        Assert.Equal("blurry, people", prompt.Graph["3"]!["inputs"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Inpaint_of_an_earlier_result_uploads_its_pixels_transparent_under_the_polygon()
    {
        await using var fake = await FakeComfyUi.StartAsync();
        using var host = Front(Engine("comfy", fake.BaseUrl));
        var (_, client) = await AccountAsync(host);
        var imagined = await RunAsync(client);
        var source = Assert.Single(fake.Prompts);
        var inpaint = new
        {
            model = "mj-v7-inpaint", prompt = "a red vase",
            model_params = new
            {
                task_id = imagined["id"]!.GetValue<string>(), image_number = 2,
                mask = new { areas = new[] { new { width = 500, height = 500, points = new[] { 0, 0, 250, 0, 250, 250, 0, 250 } } } },
            },
        };

        var task = await RunAsync(client, System.Text.Json.JsonSerializer.Serialize(inpaint));

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        var run = fake.Prompts[1];
        Assert.Equal(("a red vase", 4, 64, 64), (run.Prompt, run.Count, run.Width, run.Height));
        var (name, loaded) = Assert.Single(run.Loaded);
        Assert.EndsWith("-masked-image.png", name, StringComparison.Ordinal);
        var (r, g, b) = FakeComfyUi.Colour(Prompt, source.Seed, 2);
        byte Alpha(int x, int y) => loaded.Pixels[(((y * 64) + x) * 4) + 3];
        Assert.Equal([r, g, b], loaded.Pixels[((40 * 64 + 40) * 4)..((40 * 64 + 40) * 4 + 3)]);
        Assert.Equal((0, 0, 255, 255), (Alpha(5, 5), Alpha(28, 28), Alpha(40, 40), Alpha(60, 10)));
        await AssertColourAsync(client, task["results"]![3]!.GetValue<string>(), "a red vase", run.Seed, 3);
    }

    [Fact]
    public async Task A_prompt_that_never_finishes_times_out_is_refunded_and_interrupted_by_its_id()
    {
        await using var fake = await FakeComfyUi.StartAsync();
        fake.Fault = ComfyUiFault.NeverFinish;
        var engine = Engine("comfy", fake.BaseUrl);
        engine["Easel:Engines:comfy:TaskTimeout"] = "00:00:02";
        using var host = Front(engine);
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["error"]!["code"]!.GetValue<string>() == "generation_timeout", task.ToJsonString());
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        var prompt = Assert.Single(fake.Prompts);
        await WaitForAsync(() => prompt.State == "interrupted");
        Assert.Equal([prompt.Id], fake.Interrupts);
    }

    [Fact]
    public async Task Cancel_deletes_a_waiting_prompt_from_the_queue_and_interrupts_a_running_one_by_its_id()
    {
        await using var fake = await FakeComfyUi.StartAsync();
        fake.Fault = ComfyUiFault.NeverFinish;
        using var host = Front(Engine("comfy", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);
        var (_, running) = await client.PostJsonAsync("/v1/images/generations", Imagine);
        await WaitForAsync(() => fake.Prompts.Count == 1 && fake.Prompts[0].State == "running");
        var (_, waiting) = await client.PostJsonAsync("/v1/images/generations", Imagine);
        await WaitForAsync(() => fake.Prompts.Count == 2);

        var (status, cancelled) = await client.PostJsonAsync($"/v1/tasks/{waiting["id"]!.GetValue<string>()}/cancel", "{}");
        Assert.Equal(200, status);
        Assert.Equal("request_cancelled", cancelled["error"]!["code"]!.GetValue<string>());
        await WaitForAsync(() => fake.Prompts[1].State == "deleted");
        Assert.Equal([fake.Prompts[1].Id], fake.Deleted);
        Assert.Empty(fake.Interrupts);

        await client.PostJsonAsync($"/v1/tasks/{running["id"]!.GetValue<string>()}/cancel", "{}");
        await WaitForAsync(() => fake.Prompts[0].State == "interrupted");
        Assert.Equal([fake.Prompts[0].Id], fake.Interrupts);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task Node_errors_are_invalid_parameters_with_the_nodes_message_refunded_and_no_other_engine_is_tried()
    {
        await using var fake = await FakeComfyUi.StartAsync();
        await using var other = await FakeComfyUi.StartAsync();
        var workflow = Path.Combine(Path.GetTempPath(), $"easel-comfy-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(workflow, (await File.ReadAllTextAsync(Sample("txt2img.json"))).Replace("sd_xl_base_1.0.safetensors", "flux-dev.safetensors", StringComparison.Ordinal));
        try
        {
            var engine = Engine("comfy", fake.BaseUrl, priority: 1);
            engine["Easel:Engines:comfy:Workflows:imagine"] = workflow;
            using var host = Front(engine, Engine("other", other.BaseUrl, priority: 2));
            var (accountId, client) = await AccountAsync(host);

            var task = await RunAsync(client);

            Assert.True(task["error"]!["code"]!.GetValue<string>() == "invalid_parameters", task.ToJsonString());
            Assert.Contains("node 1 (CheckpointLoaderSimple): Value not in list: ckpt_name: 'flux-dev.safetensors' not in",
                task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Empty(fake.Prompts);
            Assert.Equal(0, other.PromptPosts);
            Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        }
        finally
        {
            File.Delete(workflow);
        }
    }

    [Fact]
    public async Task An_execution_error_fails_the_task_as_a_generation_failure_with_the_exception_refunded()
    {
        await using var fake = await FakeComfyUi.StartAsync();
        fake.Fault = ComfyUiFault.ExecutionError;
        using var host = Front(Engine("comfy", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        // FailureKind.GenerationFailed, in the unified dialect's words.
        Assert.True(task["error"]!["code"]!.GetValue<string>() == "generation_failed_no_content", task.ToJsonString());
        Assert.Contains("node 5 (KSampler) raised torch.OutOfMemoryError: Allocation on device 0 would exceed allowed memory",
            task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Theory]
    [InlineData("500")]
    [InlineData("refused")]
    [InlineData("401")]
    public async Task An_upstream_that_is_down_or_refuses_us_lets_the_next_engine_serve(string failure)
    {
        await using var broken = await FakeComfyUi.StartAsync();
        broken.Fault = failure == "500" ? ComfyUiFault.ServerError : ComfyUiFault.None;
        broken.RequiredToken = failure == "401" ? FakeComfyUi.Token : null;
        await using var good = await FakeComfyUi.StartAsync();
        using var host = Front(Engine("broken", failure == "refused" ? "http://127.0.0.1:9" : broken.BaseUrl, priority: 1), Engine("good", good.BaseUrl, priority: 2));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        Assert.Equal("good", task["engine"]!.GetValue<string>());
        Assert.Empty(broken.Prompts);
        Assert.Equal(100m - 5.4m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Theory]
    [InlineData(ComfyUiFault.OutputsNotImages, "not an image")]
    [InlineData(ComfyUiFault.MissingFiles, "HTTP 404")]
    public async Task Results_that_are_not_images_or_not_there_fail_service_error_refunded_and_nothing_is_stored(ComfyUiFault fault, string message)
    {
        await using var fake = await FakeComfyUi.StartAsync();
        fake.Fault = fault;
        using var host = Front(Engine("comfy", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["error"]!["code"]!.GetValue<string>() == "service_error", task.ToJsonString());
        Assert.Contains(message, task["error"]!["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        var files = Path.Combine(host.DataDirectory, "files");
        Assert.Empty(Directory.Exists(files) ? Directory.EnumerateFiles(files, "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public async Task Behind_a_proxy_the_api_key_goes_as_a_bearer_token_on_every_request_including_the_results()
    {
        await using var fake = await FakeComfyUi.StartAsync();
        fake.RequiredToken = FakeComfyUi.Token;
        var engine = Engine("comfy", fake.BaseUrl);
        engine["Easel:Engines:comfy:ApiKey"] = FakeComfyUi.Token;
        using var host = Front(engine);
        var (_, client) = await AccountAsync(host);
        var imagined = await RunAsync(client);
        var variation = new { model = "mj-v7-variation", model_params = new { task_id = imagined["id"]!.GetValue<string>(), image_number = 1, type = "subtle" } };

        var task = await RunAsync(client, System.Text.Json.JsonSerializer.Serialize(variation));

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        var run = fake.Prompts[1];
        Assert.Equal(0.35m, run.Graph["7"]!["inputs"]!["denoise"]!.GetValue<decimal>());
        await AssertColourAsync(client, task["results"]![0]!.GetValue<string>(), "", run.Seed, 0);
    }

    [Fact]
    public async Task Killed_while_its_prompt_was_being_queued_the_task_is_found_again_and_not_queued_twice()
    {
        await using var fake = await FakeComfyUi.StartAsync();
        fake.HoldAnswers = true;
        var settings = Engine("comfy", fake.BaseUrl, separator: "__").ToDictionary(e => e.Key, e => e.Value!);
        using var crash = await KilledEasel.RunAsync(settings, _ => fake.HeldAnswerQueued.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        fake.HoldAnswers = false;
        fake.ReleaseHeldAnswers();

        using var second = await crash.RestartAsync();
        using var reader = second.Client(crash.Key);
        var (task, _) = await reader.UnifiedDoneAsync(crash.TaskId, TimeSpan.FromSeconds(60));

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        Assert.Equal((1, 1), (fake.PromptPosts, fake.Prompts.Count));
        var prompt = fake.Prompts[0];
        Assert.Equal(TaskIds.SeedOf(crash.TaskId), prompt.Seed);
        await AssertColourAsync(reader, task["results"]![0]!.GetValue<string>(), Prompt, prompt.Seed, 0);
        Assert.Equal((1L, 0L), (await crash.ScalarAsync("SELECT COUNT(*) FROM ledger WHERE kind = 1"),
            await crash.ScalarAsync("SELECT COUNT(*) FROM ledger WHERE kind = 2")));
    }

    [Fact]
    public async Task The_chain_of_operations_runs_on_comfyui_through_both_dialects_each_step_sent_the_image_it_names()
    {
        await using var fake = await FakeComfyUi.StartAsync();
        using var host = Front(Engine("comfy", fake.BaseUrl));
        var (_, client) = await AccountAsync(host);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(TestImages.PatternPng(96, 96)), "file", "source.png" } };
        using var uploaded = await client.PostAsync("/v1/files", form);
        var source = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<JsonObject>(uploaded.Content))!["url"]!.GetValue<string>();
        var mask = new { areas = new[] { new { width = 500, height = 500, points = new[] { 100, 100, 100, 300, 300, 300, 300, 100 } } } };

        // Each step: its prompt reached ComfyUI, and the image it uploaded holds the colour of the result it names.
        async Task<string> StepAsync(object body, bool classic, string prompt, int? from = null)
        {
            var before = fake.Prompts.Count;
            var (status, created) = await client.PostJsonAsync(classic ? "/model/v1/generation" : "/v1/images/generations", body);
            Assert.True(status == 200, created.ToJsonString());
            var id = created["id"]!.GetValue<string>();
            var (task, _) = classic ? await client.ClassicDoneAsync(id, TimeSpan.FromSeconds(60)) : await client.UnifiedDoneAsync(id, TimeSpan.FromSeconds(60));
            Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
            Assert.Equal(before + 1, fake.Prompts.Count);
            var run = fake.Prompts[^1];
            Assert.Equal(prompt, run.Prompt);
            if (from is { } n)
            {
                var previous = fake.Prompts[^2];
                var (r, g, b) = FakeComfyUi.Colour(previous.Prompt!, previous.Seed, n);
                var image = run.Loaded.Values.Single();
                Assert.True(Enumerable.Range(0, image.Width * image.Height).Any(i => image.Pixels[i * 4] == r && image.Pixels[(i * 4) + 1] == g
                    && image.Pixels[(i * 4) + 2] == b && image.Pixels[(i * 4) + 3] == 255), $"step {run.Prompt}: the source's colour is not in the uploaded image");
            }
            return id;
        }

        var paint = await StepAsync(Requests.UnifiedUploadPaint(source), classic: false, "a quiet harbour");
        var edit = await StepAsync(new
        {
            model = "mj-v7-edit", prompt = "harbour at dusk",
            model_params = new { task_id = paint, image_number = 1, canvas = new { width = 160, height = 100 }, img_pos = new { width = 128, height = 128, x = -20, y = -14 } },
        }, classic: false, "harbour at dusk", from: 1);
        // Edit's workflow takes the mask as an image of its own (LoadImageMask): white where the canvas was not covered.
        var editRun = fake.Prompts[^1];
        var editMask = Assert.Single(editRun.LoadedMasks).Value;
        // The image covers x -20..108 of the 160-wide canvas; the right part is new.
        Assert.Equal((160, 100, 255, 0), (editMask.Width, editMask.Height, editMask.Pixels[((50 * 160) + 150) * 4], editMask.Pixels[((50 * 160) + 50) * 4]));
        var inpaint = await StepAsync(new { model = "midjourney_inpaint", jobId = edit, imageNo = 2, mask, remixPrompt = "a boat" }, classic: true, "a boat", from: 2);
        var remix = await StepAsync(new { model = "mj-v7-remix", prompt = "as a watercolour", model_params = new { task_id = inpaint, image_number = 0, mode = "subtle" } },
            classic: false, "as a watercolour", from: 0);
        Assert.Equal(0.45m, fake.Prompts[^1].Graph["7"]!["inputs"]!["denoise"]!.GetValue<decimal>());
        var variation = await StepAsync(new { model = "mj-v7-variation", model_params = new { task_id = remix, image_number = 3, type = "strong" } }, classic: false, "", from: 3);
        var pan = await StepAsync(new { model = "midjourney_pan", jobId = variation, imageNo = 1, direction = 1, scale = 1.5 }, classic: true, "", from: 1);
        Assert.Equal((240, 100), (fake.Prompts[^1].Width, fake.Prompts[^1].Height));
        var outpaint = await StepAsync(new { model = "mj-v7-outpaint", model_params = new { task_id = pan, image_number = 0, scale = 1.25 } }, classic: false, "", from: 0);

        var (_, finished) = await client.GetJsonAsync($"/v1/tasks/{outpaint}");
        Assert.Equal("comfy", finished["engine"]!.GetValue<string>());
        var result = ImageCodec.Decode(await client.DownloadAsync(finished["results"]![0]!.GetValue<string>()));
        Assert.Equal((300, 125), (result.Width, result.Height));
    }
}
