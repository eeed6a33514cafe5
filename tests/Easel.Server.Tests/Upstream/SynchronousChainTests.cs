using System.Text.Json.Nodes;
using Easel.Imaging;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;
using Easel.Testing.UpstreamFakes;

using static Easel.Server.Tests.Upstream.UpstreamFront;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// The whole chain of what each synchronous adapter serves, through both dialects at the front (issue 17): every step
/// reaches the fake with its prompt and, for the image operations, with the pixels of the result it names; the last
/// step (upscale, which neither upstream serves) runs on the local engine from the upstream's stored result.
/// </summary>
public sealed class SynchronousChainTests
{
    private static readonly object Mask = new { areas = new[] { new { width = 500, height = 500, points = new[] { 100, 100, 100, 300, 300, 300, 300, 100 } } } };

    /// <summary>One call a fake received: its route, its prompt, and the source image it was sent (none for a text-only call).</summary>
    private sealed record Received(string Route, string Prompt, RgbaImage? Image);

    [Fact]
    public async Task Sd_webui_runs_imagine_upload_paint_edit_inpaint_remix_variation_pan_and_outpaint_and_the_local_engine_upscales_its_result()
    {
        await using var fake = await FakeSdWebui.StartAsync();
        fake.WorkTime = TimeSpan.Zero;
        await ChainAsync(SdWebuiTests.Engine("sd", fake.BaseUrl), "sd",
            () => fake.Calls.Select(c => new Received(c.Route, c.Prompt, c.Init)).ToList(),
            async (client, last) =>
            {
                var variation = await StepAsync(client, false, new { model = "mj-v7-variation", prompt = "in spring", model_params = new { task_id = last, image_number = 3, type = "strong" } });
                var pan = await StepAsync(client, true, new { model = "midjourney_pan", jobId = variation.Id, imageNo = 1, direction = 1, scale = 1.5, remixPrompt = "more sea" });
                var outpaint = await StepAsync(client, false, new { model = "mj-v7-outpaint", prompt = "wider", model_params = new { task_id = pan.Id, image_number = 0, scale = 1.25 } });
                return [("img2img", "in spring", variation), ("img2img", "more sea", pan), ("img2img", "wider", outpaint)];
            });
    }

    [Fact]
    public async Task Openai_images_runs_imagine_upload_paint_edit_inpaint_remix_and_retexture_and_the_local_engine_upscales_its_result()
    {
        await using var fake = await FakeOpenAiImages.StartAsync();
        fake.WorkTime = TimeSpan.Zero;
        await using var images = await ImageServer.StartAsync();
        var texture = images.Serve("/texture.png", TestImages.PatternPng(48, 48));
        await ChainAsync(OpenAiImagesTests.Engine("openai", fake.BaseUrl), "openai",
            () => fake.Calls.Select(c => new Received(c.Route == "generations" ? "txt2img" : "img2img", c.Prompt, c.Image)).ToList(),
            async (client, _) =>
            {
                var retexture = await StepAsync(client, true, new { model = "midjourney_retexture", imgUrl = texture, remixPrompt = "in bronze" });
                return [("img2img", "in bronze", retexture)];
            });
    }

    /// <summary>
    /// imagine (unified), upload-paint (classic), edit (unified), inpaint (classic), remix (unified), then the
    /// protocol's own further steps, then an upscale on the local engine; each upstream call checked in order.
    /// </summary>
    private static async Task ChainAsync(Dictionary<string, string?> engine, string engineName, Func<List<Received>> calls,
        Func<HttpClient, string, Task<List<(string Route, string Prompt, Step Step)>>> further)
    {
        await using var images = await ImageServer.StartAsync();
        var source = images.Serve("/source.png", TestImages.PatternPng(40, 40));
        engine["Easel:Engines:local:Type"] = "local";
        using var host = new EaselHost(engine);
        var (_, client) = await AccountAsync(host);

        var imagine = await StepAsync(client, false, new { model = "mj-v7", prompt = Prompt });
        var paint = await StepAsync(client, true, Requests.ClassicUploadPaint(source));
        var edit = await StepAsync(client, false, new
        {
            model = "mj-v7-edit", prompt = "harbour at dusk",
            model_params = new { task_id = imagine.Id, image_number = 1, canvas = new { width = 96, height = 64 }, img_pos = new { width = 64, height = 64, x = 16, y = 0 } },
        });
        var inpaint = await StepAsync(client, true, new { model = "midjourney_inpaint", jobId = edit.Id, imageNo = 2, mask = Mask, remixPrompt = "a boat" });
        var remix = await StepAsync(client, false, new { model = "mj-v7-remix", prompt = "as a watercolour", model_params = new { task_id = inpaint.Id, image_number = 0, mode = "subtle" } });
        var expected = new List<(string Route, string Prompt, Step Step)>
        {
            ("txt2img", Prompt, imagine), ("img2img", "a quiet harbour", paint), ("img2img", "harbour at dusk", edit),
            ("img2img", "a boat", inpaint), ("img2img", "as a watercolour", remix),
        };
        expected.AddRange(await further(client, remix.Id));
        var last = expected[^1].Step;
        var upscale = await StepAsync(client, false, new { model = "mj-v7-upscale", model_params = new { task_id = last.Id, image_number = 2, type = "standard" } });

        var received = calls();
        Assert.Equal(expected.Select(e => (e.Route, e.Prompt)), received.Select(r => (r.Route, r.Prompt)));
        Assert.All(expected, e => Assert.Equal(engineName, e.Step.Engine));
        Assert.Equal("local", upscale.Engine);
        // The image operations on an earlier result got that result's pixels: the inpaint its source unchanged (the
        // mask says what to repaint), the remix the inpaint's first image.
        AssertSameImage(await DownloadAsync(client, edit, 2), received[3].Image!);
        AssertSameImage(await DownloadAsync(client, inpaint, 0), received[4].Image!);
        var upscaled = await DownloadAsync(client, upscale, 0);
        var from = await DownloadAsync(client, last, 2);
        Assert.Equal((from.Width * 2, from.Height * 2), (upscaled.Width, upscaled.Height));
    }

    private sealed record Step(string Id, string Engine, IReadOnlyList<string> Results);

    private static async Task<Step> StepAsync(HttpClient client, bool classic, object body)
    {
        var (status, created) = await client.PostJsonAsync(classic ? "/model/v1/generation" : "/v1/images/generations", body);
        Assert.True(status == 200, created.ToJsonString());
        var id = created["id"]!.GetValue<string>();
        var (task, _) = classic ? await client.ClassicDoneAsync(id, TimeSpan.FromSeconds(60)) : await client.UnifiedDoneAsync(id, TimeSpan.FromSeconds(60));
        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        // Both dialects' views of the same task: the unified one carries the engine (an Easel extension).
        var (_, unified) = await client.GetJsonAsync($"/v1/tasks/{id}");
        var results = unified["results"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        return new Step(id, unified["engine"]!.GetValue<string>(), results);
    }

    private static async Task<RgbaImage> DownloadAsync(HttpClient client, Step step, int image) =>
        ImageCodec.Decode(await client.DownloadAsync(step.Results[image]));

    private static void AssertSameImage(RgbaImage expected, RgbaImage actual)
    {
        Assert.Equal((expected.Width, expected.Height), (actual.Width, actual.Height));
        Assert.True(expected.Pixels.AsSpan().SequenceEqual(actual.Pixels), "the upstream did not receive the earlier result's pixels");
    }
}
