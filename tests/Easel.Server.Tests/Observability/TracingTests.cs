using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Easel.Server.Tests.Observability;

/// <summary>
/// Traces through real hosts and a real OTLP/HTTP receiver on loopback: one task, from the request that created it
/// to its callback, is one trace, with each stage a span in its place; a restart in between does not break it; and
/// nothing is traced or exported when no OTLP endpoint is configured.
/// </summary>
public sealed class TracingTests
{
    private static readonly string[] Stages = ["task.claim", "task.fetch", "task.engine", "task.store", "task.settle"];

    [Fact]
    public async Task One_task_is_one_trace_from_its_create_request_to_its_callback()
    {
        await using var otlp = await OtlpReceiver.StartAsync();
        await using var images = await ImageServer.StartAsync();
        await using var receiver = await CallbackReceiver.StartAsync();
        // The default sampler (no OTEL_TRACES_SAMPLER): parent-based, so the client's sampled traceparent is followed.
        using var host = new EaselHost(new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp.Url,
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        });
        using var client = host.Admin();
        var image = images.Serve("/a.png", TestImages.PatternPng(16, 16));

        // A task whose client did not sample its trace: nothing of it may be recorded, the worker's stages included.
        var (unsampledTrace, unsampledParent) = NewContext();
        var unsampled = await CreateClassicAsync(client, image, receiver.Url, $"00-{unsampledTrace}-{unsampledParent}-00");
        var (trace, clientSpan) = NewContext();
        var id = await CreateClassicAsync(client, image, receiver.Url, $"00-{trace}-{clientSpan}-01");
        await client.ClassicDoneAsync(unsampled);
        await client.ClassicDoneAsync(id);
        await receiver.WaitForAsync(2, TimeSpan.FromSeconds(20));

        var spans = await otlp.WaitForTraceAsync(trace, s => s.Any(x => x.Name == "task.callback") && s.Any(x => x.Name == "task.settle")
            && s.Count(x => x.Kind == OtlpSpan.Client) >= 2);

        var create = Assert.Single(spans, s => s.Kind == OtlpSpan.Server && s.Attributes.GetValueOrDefault("http.route", "").TrimEnd('/') == "/model/v1/generation");
        Assert.Equal(clientSpan, create.ParentSpanId);
        Assert.Equal("easel", create.ServiceName);
        var run = Assert.Single(spans, s => s.Name == "task.run");
        Assert.Equal(create.SpanId, run.ParentSpanId);
        Assert.Equal(id, run.Attributes["easel.task.id"]);
        var stages = Stages.Select(name => Assert.Single(spans, s => s.Name == name)).ToList();
        Assert.All(stages, stage => Assert.Equal(run.SpanId, stage.ParentSpanId));
        // In the order they ran, each within the run.
        for (var i = 1; i < stages.Count; i++)
        {
            Assert.True(stages[i - 1].EndNanos <= stages[i].StartNanos, $"{stages[i - 1].Name} ends after {stages[i].Name} starts");
        }
        Assert.True(run.StartNanos <= stages[0].StartNanos && stages[^1].EndNanos <= run.EndNanos, "the stages lie within the run");
        // The image fetch is an HTTP client span under the fetch stage.
        var fetch = stages[1];
        var download = Assert.Single(spans, s => s.Kind == OtlpSpan.Client && s.ParentSpanId == fetch.SpanId);
        Assert.EndsWith("/a.png", download.Attributes["url.full"], StringComparison.Ordinal);
        // The callback belongs to the task's trace, under the create request (it runs outside any request), and its
        // POST is an HTTP client span under it.
        var callback = Assert.Single(spans, s => s.Name == "task.callback");
        Assert.Equal(create.SpanId, callback.ParentSpanId);
        Assert.Equal("200", callback.Attributes["http.response.status_code"]);
        var post = Assert.Single(spans, s => s.Kind == OtlpSpan.Client && s.ParentSpanId == callback.SpanId);
        Assert.Equal("POST", post.Attributes["http.request.method"]);

        Assert.All(otlp.Posts.Where(p => p.Path == "/v1/traces"), p => Assert.Equal("application/x-protobuf", p.ContentType));
        Assert.DoesNotContain(otlp.Spans(), s => s.TraceId == unsampledTrace);
    }

    [Fact]
    public async Task A_task_resumed_after_a_restart_goes_on_in_its_trace()
    {
        await using var otlp = await OtlpReceiver.StartAsync();
        await using var images = await ImageServer.StartAsync();
        var png = TestImages.PatternPng(16, 16);
        var fetched = new TaskCompletionSource();
        // The first fetch is held until its node goes; the second is answered.
        var image = images.Handle("/held.png", async http =>
        {
            if (fetched.TrySetResult())
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return; // the first node stopped
                }
            }
            await http.Response.Body.WriteAsync(png);
        });
        var data = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp.Url,
            ["OTEL_TRACES_SAMPLER"] = "always_on",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_SERVICE_NAME"] = "easel-restart-test",
            ["Easel__Tasks__ShutdownGracePeriod"] = "00:00:00",
        };
        var (trace, clientSpan) = NewContext();
        try
        {
            string id;
            using (var first = await ServerProcess.StartAsync(data, EaselHost.AdminKey, settings))
            {
                using var client = first.Client();
                id = await CreateClassicAsync(client, image, callback: null, $"00-{trace}-{clientSpan}-01");
                await fetched.Task.WaitAsync(TimeSpan.FromSeconds(20));
                first.Terminate();
                Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            }
            using var second = await ServerProcess.StartAsync(data, EaselHost.AdminKey, settings);
            using var again = second.Client();
            await again.ClassicDoneAsync(id);

            var spans = await otlp.WaitForTraceAsync(trace, s => s.Count(x => x.Name == "task.run") == 2 && s.Any(x => x.Name == "task.settle"));

            var create = Assert.Single(spans, s => s.Kind == OtlpSpan.Server && s.Attributes.GetValueOrDefault("http.route", "").TrimEnd('/') == "/model/v1/generation");
            Assert.Equal(clientSpan, create.ParentSpanId);
            Assert.All(spans, s => Assert.Equal("easel-restart-test", s.ServiceName)); // OTEL_SERVICE_NAME is the SDK's to read
            var runs = spans.Where(s => s.Name == "task.run").OrderBy(s => s.StartNanos).ToList();
            Assert.All(runs, r => Assert.Equal(create.SpanId, r.ParentSpanId));
            Assert.Equal(["1", "2"], runs.Select(r => r.Attributes["easel.task.attempt"]));
            // The first run got as far as the fetch; the second ran every stage.
            Assert.Equal(["task.claim", "task.fetch"], spans.Where(s => s.ParentSpanId == runs[0].SpanId).OrderBy(s => s.StartNanos).Select(s => s.Name));
            Assert.Equal(Stages, spans.Where(s => s.ParentSpanId == runs[1].SpanId).OrderBy(s => s.StartNanos).Select(s => s.Name));
            Assert.Contains(otlp.Posts, p => p.Path == "/v1/metrics" && p.ContentType == "application/x-protobuf");
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Without_an_otlp_endpoint_nothing_is_traced_or_exported()
    {
        // A receiver where the exporter would send by default (localhost:4318), so a default export could not go unseen.
        await using var otlp = await OtlpReceiver.StartAsync(port: 4318);
        await using var images = await ImageServer.StartAsync();
        await using var receiver = await CallbackReceiver.StartAsync();
        var data = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));
        try
        {
            // OTEL_* variables that are not an endpoint do not turn export on.
            using (var server = await ServerProcess.StartAsync(data, EaselHost.AdminKey, new Dictionary<string, string>
            {
                ["OTEL_TRACES_SAMPLER"] = "always_on",
                ["OTEL_SERVICE_NAME"] = "easel-off",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "100",
            }))
            {
                using var client = server.Client();
                var (trace, span) = NewContext();
                var id = await CreateClassicAsync(client, images.Serve("/a.png", TestImages.PatternPng(16, 16)), receiver.Url, $"00-{trace}-{span}-01");
                await client.ClassicDoneAsync(id);
                await receiver.WaitForAsync(1, TimeSpan.FromSeconds(20));
                Assert.Equal(200, (int)(await client.GetAsync("/metrics")).StatusCode);
                server.Terminate();
                await server.WaitForExitAsync(TimeSpan.FromSeconds(30));
            }
            Assert.Empty(otlp.Posts);
            // Nothing was tracing the request, so no trace context was stored with the task for a worker to continue.
            Assert.Equal(0L, await Database.ScalarAsync<long>(data, "SELECT COUNT(*) FROM tasks WHERE trace_parent IS NOT NULL"));
            Assert.Equal(1L, await Database.ScalarAsync<long>(data, "SELECT COUNT(*) FROM tasks"));
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("1", 20)]
    public async Task The_default_sampler_samples_new_traces_at_its_ratio_and_follows_a_sampled_caller(string ratio, int expected)
    {
        await using var otlp = await OtlpReceiver.StartAsync();
        var host = new EaselHost(new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp.Url,
            ["OTEL_TRACES_SAMPLER_ARG"] = ratio,
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        });
        var marker = Guid.NewGuid().ToString("N");
        var (trace, span) = NewContext();
        bool Ours(OtlpSpan s) => s.Kind == OtlpSpan.Server && s.Attributes.GetValueOrDefault("url.path", "").Contains(marker, StringComparison.Ordinal);
        using (host)
        {
            using var client = host.Admin();
            for (var i = 0; i < 20; i++)
            {
                await client.GetAsync($"/v1/tasks/{marker}");
            }
            using var sampled = new HttpRequestMessage(HttpMethod.Get, $"/v1/tasks/{marker}");
            sampled.Headers.Add("traceparent", $"00-{trace}-{span}-01");
            await client.SendAsync(sampled);

            // Waited for while the host runs (the batch goes every 100 ms): the flush at shutdown alone lost the
            // whole batch about one run in three on a loaded machine. The sampled caller's span ends last.
            await otlp.WaitForTraceAsync(trace, spans => spans.Any(Ours));
        }

        var spans = otlp.Spans().Where(Ours).ToList();
        Assert.Single(spans, s => s.TraceId == trace); // a sampled caller is followed, whatever the ratio
        Assert.Equal(expected, spans.Count(s => s.TraceId != trace));
    }

    [Fact]
    public void A_sampler_argument_that_is_no_ratio_stops_the_start_with_its_name()
    {
        using var host = new EaselHost(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9", ["OTEL_TRACES_SAMPLER_ARG"] = "ten percent" });
        var error = Assert.ThrowsAny<Exception>(() => host.Services);
        Assert.Contains("OTEL_TRACES_SAMPLER_ARG", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_without_an_otlp_endpoint_builds_no_tracer_provider()
    {
        using var off = new EaselHost();
        using var on = new EaselHost(new() { ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = "http://127.0.0.1:9/v1/traces" });
        using var none = new EaselHost(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9", ["OTEL_TRACES_EXPORTER"] = "none" });
        Assert.Null(off.Services.GetService<TracerProvider>());
        Assert.NotNull(on.Services.GetService<TracerProvider>());
        Assert.Null(none.Services.GetService<TracerProvider>());
    }

    private static (string TraceId, string SpanId) NewContext() =>
        (Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));

    private static async Task<string> CreateClassicAsync(HttpClient client, string imageUrl, string? callback, string traceParent)
    {
        var body = Requests.ClassicUploadPaint(imageUrl, canvas: 32);
        if (callback is not null)
        {
            body["callback"] = callback;
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "/model/v1/generation") { Content = JsonContent.Create(body) };
        request.Headers.Add("traceparent", traceParent);
        using var response = await client.SendAsync(request);
        var task = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(response.IsSuccessStatusCode, task.ToJsonString());
        return task["id"]!.GetValue<string>();
    }
}
