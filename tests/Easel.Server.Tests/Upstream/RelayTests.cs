using System.Text.Json.Nodes;
using Easel.Imaging;
using Easel.Server.Tests.Infrastructure;
using Xunit.Abstractions;

using static Easel.Server.Tests.Upstream.UpstreamFront;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// Easel in front of another Easel (API.md section 10), in each upstream protocol: every operation the upstream's local
/// engine serves runs through the front and is painted by the upstream; the secondary operations reach the upstream with
/// the upstream's own task ids; the results are served from the front's own storage; both ledgers settle once.
/// </summary>
public sealed class RelayTests(ITestOutputHelper output)
{
    private static readonly object Mask = new { areas = new[] { new { width = 500, height = 500, points = new[] { 100, 100, 100, 300, 300, 300, 300, 100 } } } };

    [Theory]
    [InlineData("unified")]
    [InlineData("classic")]
    public async Task The_whole_chain_runs_on_the_upstream_and_is_served_by_the_front(string protocol)
    {
        // In the classic protocol the upstream calls the front's wake-up URL (the dialect takes http callbacks): the front's
        // schedule would wait ten minutes, so every step completing shows the real wake-ups arriving and working.
        using var servers = await RelayServers.StartAsync(protocol, protocol == "classic"
            ? new Dictionary<string, string> { ["Easel__Engines__upstream__PollInterval"] = "00:10:00" } : null);
        try
        {
            var client = servers.FrontAccount;
            var source = await servers.UploadAsync(TestImages.PatternPng(96, 96));

            var paint = await RunUnifiedAsync(client, Requests.UnifiedUploadPaint(source), 4, seconds: 120);
            var edit = await RunUnifiedAsync(client, new
            {
                model = "mj-v7-edit", prompt = "harbour at dusk",
                model_params = new { task_id = paint, image_number = 1, canvas = new { width = 160, height = 100 }, img_pos = new { width = 128, height = 128, x = -20, y = -14 } },
            }, 4, seconds: 120);
            // The classic dialect on the front, whatever the upstream's protocol: the dialects are the front's business.
            var inpaint = await RunClassicAsync(client, new { model = "midjourney_inpaint", jobId = edit, imageNo = 2, mask = Mask, remixPrompt = "a boat" }, 4, seconds: 120);
            var remix = await RunUnifiedAsync(client, new { model = "mj-v7-remix", prompt = "as a watercolour", model_params = new { task_id = inpaint, image_number = 0, mode = "subtle" } }, 4, seconds: 120);
            var variation = await RunUnifiedAsync(client, new { model = "mj-v7-variation", model_params = new { task_id = remix, image_number = 3, type = "strong" } }, 4, seconds: 120);
            var pan = await RunClassicAsync(client, new { model = "midjourney_pan", jobId = variation, imageNo = 1, direction = 1, scale = 1.5 }, 4, seconds: 120);
            var outpaint = await RunUnifiedAsync(client, new { model = "mj-v7-outpaint", model_params = new { task_id = pan, image_number = 0, scale = 1.25 } }, 4, seconds: 120);
            var upscale = await RunUnifiedAsync(client, new { model = "mj-v7-upscale", model_params = new { task_id = outpaint, image_number = 2, type = "standard" } }, 1, seconds: 120);

            // The upstream painted every one of them, under the account whose key the front holds.
            var (_, upstreamTasks) = await servers.UpstreamAccount.GetJsonAsync("/v1/tasks?limit=50");
            var models = upstreamTasks["data"]!.AsArray().Select(t => t!["model"]!.GetValue<string>()).Reverse().ToList();
            Assert.Equal(["mj-v7-upload-paint", "mj-v7-edit", "mj-v7-inpaint", "mj-v7-remix", "mj-v7-variation", "mj-v7-pan", "mj-v7-outpaint", "mj-v7-upscale"], models);

            // Pan 1.5 to the right of a 160x100 image, then outpaint 1.25, then 2x: the upstream's geometry, as the front serves it.
            var (_, finished) = await client.GetJsonAsync($"/v1/tasks/{upscale}");
            Assert.Equal("upstream", finished["engine"]!.GetValue<string>());
            var url = finished["results"]![0]!.GetValue<string>();
            Assert.StartsWith(servers.Front.Url + "/files/", url, StringComparison.Ordinal);
            var image = ImageCodec.Decode(await client.DownloadAsync(url));
            Assert.Equal((600, 250), (image.Width, image.Height));
        }
        catch
        {
            output.WriteLine("front:\n" + servers.Front.Output);
            output.WriteLine("upstream:\n" + servers.Upstream.Output);
            throw;
        }
    }
}
