using System.Text;
using System.Text.Json.Nodes;
using Easel.Core.Tasks;
using Easel.Imaging;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;
using Easel.Testing.UpstreamFakes;

using static Easel.Server.Tests.Upstream.UpstreamFront;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// The cog engine against a fake cog server (docs/UPSTREAM-COG.md): a prediction per task under its submission key,
/// the result delivered by cog's terminal webhook to the task's wake-up URL (read, checked and recorded before it is
/// answered), never polled. What the task becomes, what the account is charged, what the model received.
/// </summary>
public sealed class CogTests
{
    internal static Dictionary<string, string?> Engine(string name, string baseUrl, int priority = 100, string images = "data")
    {
        var engine = new Dictionary<string, string?>
        {
            [$"Easel:Engines:{name}:Type"] = "cog",
            [$"Easel:Engines:{name}:BaseUrl"] = baseUrl,
            [$"Easel:Engines:{name}:Priority"] = priority.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"Easel:Engines:{name}:Options:SendImagesAs"] = images,
            [$"Easel:Engines:{name}:Options:Width"] = "64",
            [$"Easel:Engines:{name}:Options:Height"] = "48",
            [$"Easel:Engines:{name}:Options:NegativePrompt"] = "blurry",
        };
        void Map(string operation, params string[] pairs)
        {
            foreach (var pair in pairs)
            {
                var (field, input) = (pair.Split('=')[0], pair.Split('=')[1]);
                engine[$"Easel:Engines:{name}:Options:Inputs:{operation}:{field}"] = input;
            }
        }
        Map("imagine", "prompt=prompt", "negative_prompt=negative_prompt", "seed=seed", "width=width", "height=height", "count=num_outputs");
        Map("remix", "prompt=prompt", "seed=seed", "image=image", "strength=prompt_strength", "count=num_outputs");
        Map("variation", "prompt=prompt", "seed=seed", "image=image", "strength=prompt_strength", "count=num_outputs");
        Map("inpaint", "prompt=prompt", "seed=seed", "image=image", "mask=mask", "strength=prompt_strength", "count=num_outputs");
        Map("upscale", "prompt=prompt", "image=image", "scale=scale");
        return engine;
    }

    /// <summary>A front whose engines are these fakes (in order of priority), the fakes' webhooks and downloads routed to it.</summary>
    private static async Task<(EaselHost Host, string AccountId, HttpClient Client)> FrontAsync(params FakeCog[] fakes) =>
        await FrontWithAsync([], fakes);

    private static async Task<(EaselHost Host, string AccountId, HttpClient Client)> FrontWithAsync(Dictionary<string, string?> more, params FakeCog[] fakes)
    {
        var engines = fakes.Select((f, i) => Engine($"cog{i}", f.BaseUrl, priority: i + 1)).Append(more).ToArray();
        var host = Front(engines);
        var (accountId, client) = await AccountAsync(host);
        foreach (var fake in fakes)
        {
            fake.UseHandler(host.Server.CreateHandler());
        }
        return (host, accountId, client);
    }

    [Fact]
    public async Task Imagine_puts_one_prediction_under_the_submission_key_and_its_webhook_completes_the_task_with_the_painted_images()
    {
        await using var fake = await FakeCog.StartAsync();
        var (host, accountId, client) = await FrontAsync(fake);
        using var hosting = host;

        var task = await RunAsync(client);

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        Assert.Equal("cog0", task["engine"]!.GetValue<string>());
        var prediction = Assert.Single(fake.Predictions);
        Assert.StartsWith("easel-", prediction.Id, StringComparison.Ordinal);
        Assert.Equal((Prompt, "blurry", 64, 48, 4), (prediction.Prompt, prediction.Input["negative_prompt"]!.GetValue<string>(),
            prediction.Input["width"]!.GetValue<int>(), prediction.Input["height"]!.GetValue<int>(), prediction.Input["num_outputs"]!.GetValue<int>()));
        Assert.Equal(TaskIds.SeedOf(task["id"]!.GetValue<string>()), prediction.Seed);
        Assert.Equal(["completed"], prediction.Events);
        Assert.Equal([("completed", 204)], fake.Deliveries);
        var results = task["results"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.Equal(4, results.Count);
        for (var n = 0; n < 4; n++)
        {
            Assert.StartsWith("http://localhost/files/", results[n], StringComparison.Ordinal);
            var image = ImageCodec.Decode(await client.DownloadAsync(results[n]));
            var (r, g, b) = FakeCog.Colour(Prompt, prediction.Seed + n);
            Assert.Equal((64, 48, r, g, b), (image.Width, image.Height, image.Pixels[0], image.Pixels[1], image.Pixels[2]));
        }
        var ledger = await host.LedgerAsync(accountId);
        Assert.Equal((1, 0), (ledger.Count("charge"), ledger.Count("refund")));
    }

    [Fact]
    public async Task The_chain_through_both_dialects_sends_each_source_image_and_the_painted_mask_to_the_model()
    {
        await using var fake = await FakeCog.StartAsync();
        var (host, _, client) = await FrontAsync(fake);
        using var hosting = host;

        var imagine = await RunClassicAsync(client, new { model = "midjourney_diffusion", text = Prompt }, 4);
        var remix = await RunUnifiedAsync(client, new { model = "mj-v7-remix", prompt = "as a watercolour", model_params = new { task_id = imagine, image_number = 2, mode = "strong" } }, 4);
        var variation = await RunClassicAsync(client, new { model = "midjourney_variation", jobId = remix, imageNo = 1, type = 0 }, 4);
        var inpaint = await RunUnifiedAsync(client, new
        {
            model = "mj-v7-inpaint", prompt = "a red vase",
            model_params = new { task_id = variation, image_number = 3, mask = new { areas = new[] { new { width = 500, height = 500, points = new[] { 0, 0, 250, 0, 250, 250, 0, 250 } } } } },
        }, 4);
        await RunClassicAsync(client, new { model = "midjourney_upscale", jobId = inpaint, imageNo = 0, type = 0 }, 1);

        var p = fake.Predictions;
        Assert.Equal(5, p.Count);
        // Each operation's source is the image of the step before, as the model painted it.
        AssertColour(p[1].Image!, FakeCog.Colour(Prompt, p[0].Seed + 2));
        AssertColour(p[2].Image!, FakeCog.Colour("as a watercolour", p[1].Seed + 1));
        AssertColour(p[3].Image!, FakeCog.Colour(p[2].Prompt, p[2].Seed + 3));
        AssertColour(p[4].Image!, FakeCog.Colour("a red vase", p[3].Seed));
        Assert.Equal(("as a watercolour", 0.75, "", 0.35), (p[1].Prompt, p[1].Input["prompt_strength"]!.GetValue<double>(), p[2].Prompt,
            p[2].Input["prompt_strength"]!.GetValue<double>()));
        // The mask is the polygon, white where the model repaints, at the source's size.
        var mask = p[3].Mask!;
        Assert.Equal((64, 48), (mask.Width, mask.Height));
        Assert.Equal((255, 0), (mask.Pixels[((5 * 64) + 5) * 4], mask.Pixels[((40 * 64) + 60) * 4]));
        Assert.Equal(2, p[4].Input["scale"]!.GetValue<int>());
    }

    [Fact]
    public async Task With_images_sent_as_urls_the_model_downloads_the_earlier_result_from_easel()
    {
        await using var fake = await FakeCog.StartAsync();
        using var host = Front(Engine("cog", fake.BaseUrl, images: "url"));
        var (_, client) = await AccountAsync(host);
        fake.UseHandler(host.Server.CreateHandler());

        var imagine = await RunUnifiedAsync(client, JsonNode.Parse(Imagine)!, 4);
        await RunUnifiedAsync(client, new { model = "mj-v7-remix", prompt = "in ink", model_params = new { task_id = imagine, image_number = 3, mode = "subtle" } }, 4);

        var remix = fake.Predictions[1];
        Assert.StartsWith("http://localhost/files/", remix.Input["image"]!.GetValue<string>(), StringComparison.Ordinal);
        AssertColour(remix.Image!, FakeCog.Colour(Prompt, fake.Predictions[0].Seed + 3));
    }

    [Theory]
    [InlineData(CogBehaviour.ServerError)]
    [InlineData(CogBehaviour.NotReady)]
    public async Task An_upstream_that_fails_the_put_sends_the_task_to_the_next_engine(CogBehaviour behaviour)
    {
        await using var broken = await FakeCog.StartAsync();
        broken.Behaviour = behaviour;
        await using var good = await FakeCog.StartAsync();
        var (host, accountId, client) = await FrontAsync(broken, good);
        using var hosting = host;

        var task = await RunAsync(client);

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        Assert.Equal("cog1", task["engine"]!.GetValue<string>());
        Assert.Empty(broken.Predictions);
        Assert.Equal(100m - 5.4m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task All_slots_busy_409_and_no_connection_send_the_task_to_the_next_engine()
    {
        await using var busy = await FakeCog.StartAsync();
        busy.Behaviour = CogBehaviour.Hold;
        using (var direct = new HttpClient())
        {
            using var occupy = new HttpRequestMessage(HttpMethod.Put, $"{busy.BaseUrl}/predictions/someone-else")
            {
                Content = new StringContent("""{"input": {"prompt": "x"}}""", Encoding.UTF8, "application/json"),
            };
            occupy.Headers.Add("Prefer", "respond-async");
            (await direct.SendAsync(occupy)).EnsureSuccessStatusCode();
        }
        await using var good = await FakeCog.StartAsync();
        var closed = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        var host = Front(Engine("busy", busy.BaseUrl, priority: 1), Engine("down", closed, priority: 2), Engine("good", good.BaseUrl, priority: 3));
        using var hosting = host;
        var (_, client) = await AccountAsync(host);
        good.UseHandler(host.Server.CreateHandler());

        var task = await RunAsync(client);

        Assert.True(task["engine"]!.GetValue<string>() == "good", task.ToJsonString());
        Assert.Single(busy.Predictions);
    }

    [Fact]
    public async Task A_422_is_invalid_parameters_with_cogs_message_refunded_and_no_other_engine_is_tried()
    {
        await using var fake = await FakeCog.StartAsync();
        await using var other = await FakeCog.StartAsync();
        var (host, accountId, client) = await FrontWithAsync(new() { ["Easel:Engines:cog0:Options:Fixed:imagine:prompt_strength"] = "5" }, fake, other);
        using var hosting = host;

        var task = await RunAsync(client);

        Assert.True(task["error"]!["code"]!.GetValue<string>() == "invalid_parameters", task.ToJsonString());
        Assert.Contains("body.input.prompt_strength: Input should be between 0 and 1", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(other.Predictions);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task A_failed_prediction_fails_the_task_with_the_models_error_refunded()
    {
        await using var fake = await FakeCog.StartAsync();
        fake.Behaviour = CogBehaviour.Fail;
        var (host, accountId, client) = await FrontAsync(fake);
        using var hosting = host;

        var task = await RunAsync(client);

        Assert.True(task["status"]!.GetValue<string>() == "failed", task.ToJsonString());
        Assert.Contains("CUDA out of memory", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Theory]
    [InlineData(CogBehaviour.OutputsNotImages, "not an image")]
    [InlineData(CogBehaviour.TooFewOutputs, "gave 1 images; this model gives 4")]
    public async Task Results_that_are_not_images_or_too_few_fail_service_error_refunded(CogBehaviour behaviour, string message)
    {
        await using var fake = await FakeCog.StartAsync();
        fake.Behaviour = behaviour;
        var (host, accountId, client) = await FrontAsync(fake);
        using var hosting = host;

        var task = await RunAsync(client);

        Assert.True(task["error"]!["code"]!.GetValue<string>() == "service_error", task.ToJsonString());
        Assert.Contains(message, task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task A_delivery_over_the_limit_is_refused_unread_with_413_once_and_fails_the_task_at_once()
    {
        await using var fake = await FakeCog.StartAsync();
        fake.Behaviour = CogBehaviour.TooLarge;
        fake.OversizeBytes = 8 * 1024 * 1024;
        // Four images of at most 1 MiB: a delivery of about 6.6 MB at most.
        var (host, accountId, client) = await FrontWithAsync(new() { ["Easel:Outbound:MaxImageBytes"] = "1048576" }, fake);
        using var hosting = host;

        var task = await RunAsync(client);

        Assert.True(task["error"]!["code"]!.GetValue<string>() == "service_error", task.ToJsonString());
        Assert.Contains("over Easel's limit", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal([("completed", 413)], fake.Deliveries);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task A_webhook_that_never_comes_times_out_refunded_and_the_prediction_is_cancelled_at_cog()
    {
        await using var fake = await FakeCog.StartAsync();
        fake.Behaviour = CogBehaviour.Hold;
        var (host, accountId, client) = await FrontWithAsync(new() { ["Easel:Engines:cog0:TaskTimeout"] = "00:00:03" }, fake);
        using var hosting = host;

        var task = await RunAsync(client);

        Assert.True(task["error"]!["code"]!.GetValue<string>() == "generation_timeout", task.ToJsonString());
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        await WaitForAsync(() => Assert.Single(fake.Predictions).Status == "canceled");
        // Its canceled webhook came after the task ended: answered, and nothing changed.
        await WaitForAsync(() => fake.Deliveries.Count == 1);
        Assert.Equal([("completed", 204)], fake.Deliveries);
        var (_, after) = await client.GetJsonAsync($"/v1/tasks/{task["id"]!.GetValue<string>()}");
        Assert.Equal("generation_timeout", after["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cancelling_a_waiting_task_refunds_it_and_cancels_the_prediction()
    {
        await using var fake = await FakeCog.StartAsync();
        fake.Behaviour = CogBehaviour.Hold;
        var (host, accountId, client) = await FrontAsync(fake);
        using var hosting = host;
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Imagine);
        await WaitForAsync(() => fake.Predictions.Count == 1);
        await WaitForAsync(async () => (await client.GetJsonAsync($"/v1/tasks/{created["id"]!.GetValue<string>()}")).Body["engine"] is not null);

        var (status, cancelled) = await client.PostJsonAsync($"/v1/tasks/{created["id"]!.GetValue<string>()}/cancel", "{}");

        Assert.Equal(200, status);
        Assert.Equal("request_cancelled", cancelled["error"]!["code"]!.GetValue<string>());
        await WaitForAsync(() => fake.Predictions[0].Status == "canceled" && fake.Deliveries.Count == 1);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task Forged_duplicated_and_non_terminal_deliveries_change_nothing()
    {
        await using var fake = await FakeCog.StartAsync();
        fake.Behaviour = CogBehaviour.NoWebhook;
        var (host, _, client) = await FrontAsync(fake);
        using var hosting = host;
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Imagine);
        var id = created["id"]!.GetValue<string>();
        await WaitForAsync(() => fake.Predictions.Count == 1 && fake.Predictions[0].Status == "succeeded");
        var prediction = fake.Predictions[0];
        var wake = new Uri(prediction.Webhook!).PathAndQuery;
        using var raw = host.CreateClient();
        async Task<int> PostAsync(string path, JsonObject body)
        {
            using var response = await raw.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
            return (int)response.StatusCode;
        }
        var forged = new JsonObject
        {
            ["id"] = prediction.Id, ["status"] = "succeeded",
            ["output"] = new JsonArray(Enumerable.Range(0, 4).Select(_ => (JsonNode?)("data:image/png;base64," + Convert.ToBase64String(FakeCog.Paint("forged", 1, 8, 8)))).ToArray()),
        };

        // Without the token: 404, as for any wrong wake-up. Not terminal, or another prediction's: answered, ignored.
        Assert.Equal(404, await PostAsync(wake[..wake.LastIndexOf('/')] + "/not-the-token", forged));
        Assert.Equal(204, await PostAsync(wake, new JsonObject { ["id"] = prediction.Id, ["status"] = "processing" }));
        Assert.Equal(204, await PostAsync(wake, new JsonObject { ["id"] = "easel-someone-else", ["status"] = "failed", ["error"] = "x" }));
        await Task.Delay(500);
        var (_, waiting) = await client.GetJsonAsync($"/v1/tasks/{id}");
        Assert.Equal("processing", waiting["status"]!.GetValue<string>());

        // The upstream's real delivery completes it; the same again (a retry), or another, changes nothing.
        var real = prediction.Snapshot.DeepClone().AsObject();
        Assert.Equal(204, await PostAsync(wake, real));
        var (done, _) = await client.UnifiedDoneAsync(id, TimeSpan.FromSeconds(30));
        Assert.True(done["status"]!.GetValue<string>() == "completed", done.ToJsonString());
        Assert.Equal(204, await PostAsync(wake, real));
        Assert.Equal(204, await PostAsync(wake, forged));
        await Task.Delay(300);
        var (_, after) = await client.GetJsonAsync($"/v1/tasks/{id}");
        Assert.Equal(done["results"]!.ToJsonString(), after["results"]!.ToJsonString());
        AssertColour(ImageCodec.Decode(await client.DownloadAsync(after["results"]![0]!.GetValue<string>())), FakeCog.Colour(Prompt, prediction.Seed));
    }

    [Fact]
    public async Task A_delivery_that_cannot_be_recorded_is_answered_503_and_its_retry_completes_the_task()
    {
        await using var fake = await FakeCog.StartAsync();
        fake.Behaviour = CogBehaviour.NoWebhook;
        var (host, _, client) = await FrontAsync(fake);
        using var hosting = host;
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Imagine);
        await WaitForAsync(() => fake.Predictions.Count == 1 && fake.Predictions[0].Status == "succeeded");
        var prediction = fake.Predictions[0];
        using var raw = host.CreateClient();
        var wake = new Uri(prediction.Webhook!).PathAndQuery;
        var body = prediction.Snapshot.ToJsonString();
        async Task<int> DeliverAsync()
        {
            using var response = await raw.PostAsync(wake, new StringContent(body, Encoding.UTF8, "application/json"));
            return (int)response.StatusCode;
        }

        // The table the delivery goes to is gone for a moment (a real fault of the store, not a stub).
        await Database.ExecuteAsync(host.DataDirectory, "ALTER TABLE upstream_deliveries RENAME TO upstream_deliveries_away");
        Assert.Equal(503, await DeliverAsync());
        await Database.ExecuteAsync(host.DataDirectory, "ALTER TABLE upstream_deliveries_away RENAME TO upstream_deliveries");
        var (_, waiting) = await client.GetJsonAsync($"/v1/tasks/{created["id"]!.GetValue<string>()}");
        Assert.Equal("processing", waiting["status"]!.GetValue<string>());
        Assert.Equal(204, await DeliverAsync());

        var (task, _) = await client.UnifiedDoneAsync(created["id"]!.GetValue<string>(), TimeSpan.FromSeconds(30));
        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
    }

    [Theory]
    [InlineData(null, null, "Easel:Engines:bad: Options:Inputs is missing")]
    [InlineData("Inputs:imagine:prompt", "prompt", "Easel:Engines:bad: Options:Inputs:imagine has no 'count'")]
    [InlineData("Inputs:zoom:prompt", "prompt", "Options:Inputs:zoom:prompt names 'zoom', which a cog engine does not serve")]
    [InlineData("Inputs:imagine:colour", "c", "maps 'colour', which is not one of Easel's fields")]
    [InlineData("Inputs:imagine:prompt", "the prompt", "it is the model's input name")]
    [InlineData("Inputs:remix:prompt", "prompt", "Options:Inputs:remix has no 'image'")]
    public void A_bad_cog_entry_stops_the_start_with_a_message_that_names_it(string? option, string? value, string message)
    {
        var engine = new Dictionary<string, string?> { ["Easel:Engines:bad:Type"] = "cog", ["Easel:Engines:bad:BaseUrl"] = "http://127.0.0.1:9" };
        if (option is not null)
        {
            engine[$"Easel:Engines:bad:Options:{option}"] = value;
        }
        using var host = Front(engine);

        var error = Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }

    private static void AssertColour(RgbaImage image, (byte R, byte G, byte B) colour) =>
        Assert.Equal([colour.R, colour.G, colour.B], image.Pixels[..3]);
}
