using System.Text.Json.Nodes;
using Easel.Imaging;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing.UpstreamFakes;
using Easel.Testing;

using static Easel.Server.Tests.Upstream.UpstreamFront;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// API.md section 10's failures, each against a fake gateway that speaks the dialect and fails in one documented way:
/// what the task becomes, what the account is charged, what the upstream is told.
/// </summary>
public sealed class UpstreamFaultTests
{

    private static Dictionary<string, string?> Engine(string name, string baseUrl, string protocol = "unified", int priority = 100) => new()
    {
        [$"Easel:Engines:{name}:Type"] = protocol,
        [$"Easel:Engines:{name}:BaseUrl"] = baseUrl,
        [$"Easel:Engines:{name}:ApiKey"] = FakeGateway.Key,
        [$"Easel:Engines:{name}:Priority"] = priority.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"Easel:Engines:{name}:PollInterval"] = "00:00:00.100",
        [$"Easel:Engines:{name}:UseUpstreamEstimate"] = "false",
    };

    [Theory]
    [InlineData("unified")]
    [InlineData("classic")]
    public async Task The_prompt_reaches_the_upstream_and_its_images_are_served_from_our_storage(string protocol)
    {
        await using var fake = await FakeGateway.StartAsync();
        using var host = Front(Engine("gateway", fake.BaseUrl, protocol));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.Equal("completed", task["status"]!.GetValue<string>());
        Assert.Equal("gateway", task["engine"]!.GetValue<string>());
        var job = Assert.Single(fake.Jobs);
        Assert.Equal("a lighthouse in fog", job.Prompt);
        Assert.Equal(protocol == "unified" ? "mj-v7" : "midjourney_diffusion", job.Model);
        var results = task["results"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.Equal(4, results.Count);
        for (var n = 0; n < 4; n++)
        {
            Assert.StartsWith("http://localhost/files/", results[n], StringComparison.Ordinal);
            var image = ImageCodec.Decode(await client.DownloadAsync(results[n]));
            var (r, g, b) = FakeGateway.ColourOf("a lighthouse in fog", n);
            Assert.Equal([r, g, b, 255], image.Pixels[..4]);
        }
        var ledger = await host.LedgerAsync(accountId);
        Assert.Equal(1, ledger.Count("charge"));
        Assert.Equal(0, ledger.Count("refund"));
        // The operator sees Easel's price and the upstream's own cost side by side (the fake reports 5.4 credits, or 0.0794 USD).
        using var admin = host.Admin();
        var (_, usage) = await admin.GetJsonAsync($"/admin/accounts/{accountId}/usage");
        var engine = Assert.Single(usage["by_engine"]!.AsArray())!;
        Assert.Equal("gateway", engine["engine"]!.GetValue<string>());
        Assert.Equal(5.4m, engine["credits_charged"]!.GetValue<decimal>());
        Assert.Equal(protocol == "unified" ? 5.4m : 0.0794m, engine["upstream_cost"]!["amount"]!.GetValue<decimal>());
        Assert.Equal(protocol == "unified" ? "credits" : "usd", engine["upstream_cost"]!["unit"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_submission_refused_with_5xx_or_without_a_connection_goes_to_the_next_engine()
    {
        await using var broken = await FakeGateway.StartAsync();
        broken.Submit = SubmitBehaviour.ServerError;
        await using var good = await FakeGateway.StartAsync();
        using var host = Front(
            Engine("closed", $"http://127.0.0.1:{ServerProcess.FreePort()}", priority: 10),
            Engine("broken", broken.BaseUrl, priority: 20),
            Engine("good", good.BaseUrl, "classic", priority: 30));
        var (_, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.Equal("completed", task["status"]!.GetValue<string>());
        Assert.Equal("good", task["engine"]!.GetValue<string>());
        Assert.Equal(1, broken.SubmissionsByKey.Values.Sum());
        Assert.Single(good.Jobs);
    }

    [Fact]
    public async Task An_engine_without_room_is_skipped_for_the_next_one()
    {
        await using var small = await FakeGateway.StartAsync();
        small.Job = JobBehaviour.NeverFinish;
        await using var large = await FakeGateway.StartAsync();
        var first = Engine("small", small.BaseUrl, priority: 1);
        first["Easel:Engines:small:MaxInFlight"] = "1";
        using var host = Front(first, Engine("large", large.BaseUrl, "classic", priority: 2));
        var (_, client) = await AccountAsync(host);
        var (_, waiting) = await client.PostJsonAsync("/v1/images/generations", Imagine);
        await WaitForAsync(() => small.Jobs.Count == 1);

        var task = await RunAsync(client);

        Assert.Equal("large", task["engine"]!.GetValue<string>());
        var (_, still) = await client.GetJsonAsync($"/v1/tasks/{waiting["id"]}");
        Assert.Equal("small", still["engine"]!.GetValue<string>());
        Assert.Equal("processing", still["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(SubmitBehaviour.ServerError)]
    [InlineData(SubmitBehaviour.RateLimited)]
    public async Task When_no_engine_takes_the_task_it_fails_service_unavailable_and_is_refunded(SubmitBehaviour behaviour)
    {
        await using var fake = await FakeGateway.StartAsync();
        fake.Submit = behaviour;
        using var host = Front(Engine("gateway", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.Equal("service_unavailable", task["error"]!["code"]!.GetValue<string>());
        Assert.Contains("gateway", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task A_job_that_never_finishes_times_out_is_refunded_and_is_cancelled_upstream()
    {
        await using var fake = await FakeGateway.StartAsync();
        fake.Job = JobBehaviour.NeverFinish;
        var engine = Engine("gateway", fake.BaseUrl);
        engine["Easel:Engines:gateway:TaskTimeout"] = "00:00:01";
        using var host = Front(engine);
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.Equal("generation_timeout", task["error"]!["code"]!.GetValue<string>());
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        Assert.True(Assert.Single(fake.Jobs).Cancelled, "the upstream's job is cancelled when Easel gives up on it");
    }

    [Theory]
    [InlineData("unified")]
    [InlineData("classic")]
    public async Task A_failed_upstream_task_fails_with_the_upstreams_reason_and_is_refunded(string protocol)
    {
        await using var fake = await FakeGateway.StartAsync();
        fake.Job = JobBehaviour.Fail;
        using var host = Front(Engine("gateway", fake.BaseUrl, protocol));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.Equal("generation_failed_no_content", task["error"]!["code"]!.GetValue<string>());
        Assert.Contains("the model produced nothing", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task Moderation_before_generation_is_refunded_and_after_generation_is_charged()
    {
        await using var fake = await FakeGateway.StartAsync();
        using var host = Front(Engine("gateway", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);

        fake.Submit = SubmitBehaviour.ModerationBeforeGeneration;
        var before = await RunAsync(client);
        fake.Submit = SubmitBehaviour.Accept;
        fake.Job = JobBehaviour.ModerationAfterGeneration;
        var after = await RunAsync(client);

        Assert.Equal("content_policy_violation", before["error"]!["code"]!.GetValue<string>());
        Assert.Equal("content_policy_violation", after["error"]!["code"]!.GetValue<string>());
        var ledger = await host.LedgerAsync(accountId);
        Assert.Equal(1, ledger.Count("refund", before["id"]!.GetValue<string>()));
        Assert.Equal(1, ledger.Count("charge", after["id"]!.GetValue<string>()));
        Assert.Equal(100m - 5.4m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task Parameters_the_upstream_refuses_fail_the_task_without_trying_another_engine()
    {
        await using var refusing = await FakeGateway.StartAsync();
        refusing.Submit = SubmitBehaviour.InvalidParameters;
        await using var other = await FakeGateway.StartAsync();
        using var host = Front(Engine("refusing", refusing.BaseUrl, priority: 1), Engine("other", other.BaseUrl, priority: 2));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.Equal("invalid_parameters", task["error"]!["code"]!.GetValue<string>());
        Assert.Contains("canvas is not acceptable here", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(other.Jobs);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Theory]
    [InlineData(JobBehaviour.ResultsNotImages, "not an image")]
    [InlineData(JobBehaviour.ResultsTooLarge, "over the limit of 20971520 bytes")]
    [InlineData(JobBehaviour.ResultsOnPrivateAddress, "private")]
    [InlineData(JobBehaviour.TooFewResults, "gave 2 images")]
    public async Task Results_that_are_not_images_too_large_on_a_private_address_or_too_few_are_refused(JobBehaviour behaviour, string reason)
    {
        await using var fake = await FakeGateway.StartAsync();
        fake.Job = behaviour;
        using var host = Front(Engine("gateway", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.True(task["error"]!["code"]!.GetValue<string>() == "service_error", task.ToJsonString());
        Assert.Contains(reason, task["error"]!["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        // Nothing half-written: no result of the refused task stays in storage.
        var files = Path.Combine(host.DataDirectory, "files");
        Assert.Empty(Directory.Exists(files) ? Directory.EnumerateFiles(files, "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public async Task Cancelling_a_waiting_task_refunds_it_at_once_and_cancels_the_upstream_job()
    {
        await using var fake = await FakeGateway.StartAsync();
        fake.Job = JobBehaviour.NeverFinish;
        using var host = Front(Engine("gateway", fake.BaseUrl));
        var (accountId, client) = await AccountAsync(host);
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Imagine);
        var id = created["id"]!.GetValue<string>();
        await WaitForAsync(() => fake.Jobs.Count == 1);

        var (status, cancelled) = await client.PostJsonAsync($"/v1/tasks/{id}/cancel", "{}");

        Assert.Equal(200, status);
        Assert.Equal("request_cancelled", cancelled["error"]!["code"]!.GetValue<string>());
        Assert.Equal(100m, await host.BalanceMatchingLedgerAsync(accountId));
        await WaitForAsync(() => fake.Cancels == 1);
        Assert.True(Assert.Single(fake.Jobs).Cancelled);
    }

    [Fact]
    public async Task Progress_reported_by_the_upstream_rises_on_the_task_and_never_falls()
    {
        await using var fake = await FakeGateway.StartAsync();
        fake.WorkTime = TimeSpan.FromSeconds(2);
        using var host = Front(Engine("gateway", fake.BaseUrl));
        var (_, client) = await AccountAsync(host);
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Imagine);

        var (task, progress) = await client.UnifiedDoneAsync(created["id"]!.GetValue<string>(), TimeSpan.FromSeconds(30));

        Assert.Equal("completed", task["status"]!.GetValue<string>());
        Assert.Equal(progress.Order().ToList(), progress);
        Assert.Contains(progress, p => p is > 10 and < 100);
    }

    [Fact]
    public async Task A_forged_wake_up_changes_nothing_and_duplicated_wake_ups_complete_the_task_once()
    {
        await using var fake = await FakeGateway.StartAsync();
        fake.SendsCallbacks = false;
        var engine = Engine("gateway", fake.BaseUrl, "classic");
        // Only wake-ups make it poll: the schedule would wait ten minutes.
        engine["Easel:Engines:gateway:PollInterval"] = "00:10:00";
        using var host = Front(engine);
        var (accountId, client) = await AccountAsync(host);
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Imagine);
        var id = created["id"]!.GetValue<string>();
        await WaitForAsync(() => fake.Jobs.Count == 1);
        var wakeUp = new Uri(Assert.Single(fake.Jobs).Callback!);
        Assert.Contains($"/upstream/wake/{id}/", wakeUp.AbsolutePath, StringComparison.Ordinal);
        await Task.Delay(fake.WorkTime * 2);
        using var anonymous = host.CreateClient();

        var forged = await anonymous.PostAsync(wakeUp.AbsolutePath[..^4] + "AAAA", new StringContent("""{"status":"completed"}"""));
        var otherTask = await anonymous.PostAsync($"/upstream/wake/task-unified-1-nothing/{wakeUp.Segments[^1]}", null);
        await Task.Delay(500);
        var (_, still) = await client.GetJsonAsync($"/v1/tasks/{id}");

        Assert.Equal(404, (int)forged.StatusCode);
        Assert.Equal(404, (int)otherTask.StatusCode);
        Assert.Equal("processing", still["status"]!.GetValue<string>());
        var polls = fake.Polls;
        Assert.Equal(0, polls);

        var duplicates = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => anonymous.PostAsync(wakeUp.AbsolutePath, new StringContent("{}"))));
        var (task, _) = await client.UnifiedDoneAsync(id, TimeSpan.FromSeconds(10));

        Assert.All(duplicates, d => Assert.Equal(204, (int)d.StatusCode));
        Assert.Equal("completed", task["status"]!.GetValue<string>());
        var ledger = await host.LedgerAsync(accountId);
        Assert.Equal(1, ledger.Count("charge", id));
        Assert.Equal(4, Directory.EnumerateFiles(Path.Combine(host.DataDirectory, "files"), "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public async Task A_model_no_configured_engine_serves_is_not_available_and_the_model_list_names_the_engines()
    {
        await using var fake = await FakeGateway.StartAsync();
        var engine = Engine("gateway", fake.BaseUrl);
        engine["Easel:Engines:gateway:Operations:0"] = "imagine";
        engine["Easel:Engines:gateway:Operations:1"] = "variation";
        using var host = Front(engine);
        var (_, client) = await AccountAsync(host);

        var (status, refused) = await client.PostJsonAsync("/v1/images/generations", """{"model": "mj-v7-remove-bg", "image_urls": ["https://example.com/a.png"]}""");
        var (_, models) = await client.GetJsonAsync("/v1/models");

        Assert.Equal(400, status);
        Assert.Equal("model_not_available", refused["error"]!["code"]!.GetValue<string>());
        var imagine = models["data"]!.AsArray().Single(m => m!["id"]!.GetValue<string>() == "mj-v7")!;
        Assert.Equal(["gateway"], imagine["engines"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.True(imagine["follows_prompts"]!.GetValue<bool>());
        var upscale = models["data"]!.AsArray().Single(m => m!["id"]!.GetValue<string>() == "mj-v7-upscale")!;
        Assert.False(upscale["available"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_secondary_operation_of_an_upstream_result_that_its_upstream_does_not_serve_is_not_available()
    {
        await using var fake = await FakeGateway.StartAsync();
        var engine = Engine("gateway", fake.BaseUrl);
        engine["Easel:Engines:gateway:Operations:0"] = "imagine";
        engine["Easel:Engines:gateway:Operations:1"] = "variation";
        engine["Easel:Engines:local:Type"] = "local";
        using var host = Front(engine);
        var (accountId, client) = await AccountAsync(host);
        var imagined = await RunAsync(client);

        // The local engine upscales, but the source's image numbers are the gateway's: only the gateway could chain it.
        var (status, refused) = await client.PostJsonAsync("/v1/images/generations",
            new { model = "mj-v7-upscale", model_params = new { task_id = imagined["id"]!.GetValue<string>(), image_number = 1 } });
        var variation = await RunAsync(client, new System.Text.Json.Nodes.JsonObject
        {
            ["model"] = "mj-v7-variation",
            ["model_params"] = new System.Text.Json.Nodes.JsonObject { ["task_id"] = imagined["id"]!.GetValue<string>(), ["image_number"] = 1 },
        }.ToJsonString());

        Assert.Equal(400, status);
        Assert.Equal("model_not_available", refused["error"]!["code"]!.GetValue<string>());
        Assert.Contains("engine 'gateway'", refused["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("gateway", variation["engine"]!.GetValue<string>());
        var job = fake.Jobs.Single(j => j.Model == "mj-v7-variation");
        var parameters = System.Text.Json.Nodes.JsonNode.Parse(job.Parameters!)!;
        Assert.Equal(fake.Jobs.Single(j => j.Model == "mj-v7").Id, parameters["task_id"]!.GetValue<string>());
        Assert.Equal(1, parameters["image_number"]!.GetValue<int>());
        Assert.Equal(100m - (2 * 5.4m), await host.BalanceMatchingLedgerAsync(accountId));
    }

    [Fact]
    public async Task The_classic_input_envelope_is_sent_when_configured()
    {
        await using var fake = await FakeGateway.StartAsync();
        var engine = Engine("gateway", fake.BaseUrl, "classic");
        engine["Easel:Engines:gateway:Options:Envelope"] = "input";
        using var host = Front(engine);
        var (_, client) = await AccountAsync(host);

        var task = await RunAsync(client);

        Assert.Equal("completed", task["status"]!.GetValue<string>());
        Assert.True(Assert.Single(fake.Jobs).Enveloped, "the parameters arrived in input[0].params");
    }

    [Fact]
    public async Task A_claim_that_lost_its_lease_while_its_submission_was_out_leaves_the_job_to_the_claim_that_sent_the_same_key_again()
    {
        await using var fake = await FakeGateway.StartAsync();
        fake.Submit = SubmitBehaviour.AcceptAndHoldAnswer;
        using var host = Front(Engine("gateway", fake.BaseUrl));
        var (_, client) = await AccountAsync(host);
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Imagine);
        var id = created["id"]!.GetValue<string>();
        await fake.HeldSubmissionArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The first claim's lease lapses while its request is out (a stalled node): another claim resumes the task and
        // sends the same key, which the upstream answers with the job it made.
        fake.Submit = SubmitBehaviour.Accept;
        await Database.ExecuteAsync(host.DataDirectory, $"UPDATE tasks SET lease_token = 'lapsed', lease_expires_at = 0 WHERE id = '{id}'");
        await WaitForAsync(async () => await Database.ScalarAsync<long>(host.DataDirectory, $"SELECT COUNT(*) FROM tasks WHERE id = '{id}' AND upstream_id IS NOT NULL") == 1);
        // Now the first claim's answer comes: its acceptance cannot be recorded, and the job it names is the task's.
        fake.ReleaseHeldSubmissions();
        var (task, _) = await client.UnifiedDoneAsync(id, TimeSpan.FromSeconds(30));

        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        Assert.Single(fake.Jobs);
        Assert.Equal(2, Assert.Single(fake.SubmissionsByKey).Value);
        Assert.Equal(0, fake.Cancels);
    }

    [Theory]
    [InlineData("Type", "nonsense", "Easel:Engines:bad: Type 'nonsense' is unknown")]
    [InlineData("Type", "comfyui", "Easel:Engines:bad: Workflows is missing: a comfyui engine serves the operations it has workflow files for")]
    [InlineData("Operations:0", "paint-a-horse", "Operations names 'paint-a-horse'")]
    [InlineData("BaseUrl", "ftp://example.com", "Easel:Engines:bad: BaseUrl must be an absolute http or https URL")]
    [InlineData("MaxInFlight", "0", "Easel:Engines:bad: MaxInFlight must be at least 1")]
    public void A_bad_engine_entry_stops_the_start_with_a_message_that_names_it(string setting, string value, string message)
    {
        var engine = Engine("bad", "http://127.0.0.1:9");
        engine[$"Easel:Engines:bad:{setting}"] = value;
        using var host = Front(engine);

        var error = Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(FakeGateway.Key, error.ToString(), StringComparison.Ordinal);
    }

}
