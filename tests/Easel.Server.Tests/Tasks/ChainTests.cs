using System.Text.Json.Nodes;
using Easel.Imaging;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Tasks;

/// <summary>The whole chain upload-paint -> edit -> inpaint -> remix, in each dialect, checked pixel by pixel.</summary>
public sealed class ChainTests
{
    private sealed record Dialect(
        string Name,
        Func<string, object> UploadPaint,
        Func<string, int, object> Edit,
        Func<string, int, object> Inpaint,
        Func<string, int, string, object> Remix,
        string CreatePath,
        Func<string, string> QueryPath,
        Func<JsonObject, List<string>> Results);

    private static readonly Dialect Unified = new(
        "unified",
        url => new
        {
            model = "mj-v7-upload-paint", prompt = "harbour", image_urls = new[] { url },
            model_params = new
            {
                canvas = new { width = 128, height = 128 },
                img_pos = new { width = 64, height = 64, x = 32, y = 32 },
                mask = new { areas = new[] { new { width = 100, height = 100, points = new[] { 30, 30, 30, 45, 45, 45, 45, 30 } } } },
            },
        },
        (id, n) => new
        {
            model = "mj-v7-edit", prompt = "harbour at dusk",
            model_params = new { task_id = id, image_number = n, canvas = new { width = 160, height = 100 }, img_pos = new { width = 128, height = 128, x = -20, y = -14 } },
        },
        (id, n) => new
        {
            model = "mj-v7-inpaint",
            model_params = new { task_id = id, image_number = n, mask = new { areas = new[] { new { width = 500, height = 500, points = new[] { 100, 100, 100, 300, 300, 300, 300, 100 } } } } },
        },
        (id, n, mode) => new { model = "mj-v7-remix", prompt = "as a watercolour", model_params = new { task_id = id, image_number = n, mode } },
        "/v1/images/generations",
        id => $"/v1/tasks/{id}",
        task => task["results"]!.AsArray().Select(r => r!.GetValue<string>()).ToList());

    private static readonly Dialect Classic = new(
        "classic",
        url => new
        {
            model = "midjourney_uploadpaint", imgUrl = url, remixPrompt = "harbour",
            canvas = new { width = 128, height = 128 },
            imgPos = new { width = 64, height = 64, x = 32, y = 32 },
            mask = new { areas = new[] { new { width = 100, height = 100, points = new[] { 30, 30, 30, 45, 45, 45, 45, 30 } } } },
        },
        // The wrapped envelope for edit: both envelopes are part of the dialect.
        (id, n) => new
        {
            model = "midjourney_edit",
            input = new[] { new { @params = new { jobId = id, imageNo = n, remixPrompt = "harbour at dusk", canvas = new { width = 160, height = 100 }, imgPos = new { width = 128, height = 128, x = -20, y = -14 } } } },
        },
        (id, n) => new
        {
            model = "midjourney_inpaint", jobId = id, imageNo = n,
            mask = new { areas = new[] { new { width = 500, height = 500, points = new[] { 100, 100, 100, 300, 300, 300, 300, 100 } } } },
        },
        (id, n, mode) => new { model = "midjourney_remix", jobId = id, imageNo = n, remixPrompt = "as a watercolour", mode = mode == "strong" ? 0 : 1 },
        "/model/v1/generation",
        id => $"/model/v1/generation/task/{id}",
        task => task["output"]![0]!["content"]!.AsArray().Select(c => c!["url"]!.GetValue<string>()).ToList());

    public static TheoryData<string> Dialects => new() { "unified", "classic" };

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task Chain_keeps_unmasked_pixels_and_gives_each_operation_its_size(string dialectName)
    {
        var d = dialectName == "unified" ? Unified : Classic;
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var source = TestImages.Pattern(64, 64);
        var url = images.Serve("/source.png", ImageCodec.EncodePng(source));

        // Upload-paint: 64x64 placed unscaled at (32, 32) on 128x128; mask 30-45% of the canvas (38.4-57.6 px).
        var (paintId, paint) = await RunAsync(client, d, d.UploadPaint(url));
        Assert.All(paint, image => Assert.Equal((128, 128), (image.Width, image.Height)));
        for (var y = 32; y < 96; y++)
        {
            for (var x = 32; x < 96; x++)
            {
                var nearMask = x is >= 36 and < 60 && y is >= 36 and < 60;
                if (!nearMask)
                {
                    Assert.Equal(Pixels.At(source, x - 32, y - 32), Pixels.At(paint[2], x, y));
                }
            }
        }
        Assert.True(Pixels.MeanAbsoluteDifference(paint[0], paint[1]) > 0.5, "variants of one task must differ");

        // Edit of image 2: 128x128 (unscaled) at (-20, -14) on 160x100; the image covers x < 108.
        var (editId, edit) = await RunAsync(client, d, d.Edit(paintId, 2));
        Assert.All(edit, image => Assert.Equal((160, 100), (image.Width, image.Height)));
        for (var y = 0; y < 100; y++)
        {
            for (var x = 0; x < 108; x++)
            {
                Assert.Equal(Pixels.At(paint[2], x + 20, y + 14), Pixels.At(edit[1], x, y));
            }
        }

        // Inpaint of edit image 1: a 500x500 frame scaled onto 160x100, so the hole is x 32-96, y 20-60.
        var (inpaintId, inpaint) = await RunAsync(client, d, d.Inpaint(editId, 1));
        Assert.All(inpaint, image => Assert.Equal((160, 100), (image.Width, image.Height)));
        var changedInside = 0;
        for (var y = 0; y < 100; y++)
        {
            for (var x = 0; x < 160; x++)
            {
                var nearHole = x is >= 30 and < 98 && y is >= 18 and < 62;
                if (!nearHole)
                {
                    Assert.Equal(Pixels.At(edit[1], x, y), Pixels.At(inpaint[3], x, y));
                }
                else if (x is >= 34 and < 94 && y is >= 22 and < 58 && Pixels.At(edit[1], x, y) != Pixels.At(inpaint[3], x, y))
                {
                    changedInside++;
                }
            }
        }
        Assert.True(changedInside > 1000, $"the masked region must be repainted ({changedInside} pixels changed)");

        // Remix of inpaint image 3, both strengths: same size; strong moves further from the source than subtle.
        var (_, subtle) = await RunAsync(client, d, d.Remix(inpaintId, 3, "subtle"));
        var (_, strong) = await RunAsync(client, d, d.Remix(inpaintId, 3, "strong"));
        Assert.All(subtle.Concat(strong), image => Assert.Equal((160, 100), (image.Width, image.Height)));
        var subtleDistance = subtle.Average(i => Pixels.MeanAbsoluteDifference(inpaint[3], i));
        var strongDistance = strong.Average(i => Pixels.MeanAbsoluteDifference(inpaint[3], i));
        Assert.True(subtleDistance > 0.5, $"subtle remix must change the image ({subtleDistance:0.00})");
        Assert.True(strongDistance > subtleDistance * 1.5, $"strong ({strongDistance:0.00}) must change more than subtle ({subtleDistance:0.00})");
    }

    [Fact]
    public async Task A_task_made_in_one_dialect_reads_in_the_other()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var url = images.Serve("/source.png", TestImages.PatternPng(32, 32));
        var (_, created) = await client.PostJsonAsync("/model/v1/generation", Classic.UploadPaint(url));
        var id = created["id"]!.GetValue<string>();
        Assert.StartsWith("task-classic-", id);
        var (done, _) = await client.UnifiedDoneAsync(id);
        Assert.Equal("mj-v7-upload-paint", done["model"]!.GetValue<string>());
        Assert.Equal(4, done["results"]!.AsArray().Count);
        var (classic, _) = await client.ClassicDoneAsync(id);
        Assert.Equal("midjourney_uploadpaint", classic["model"]!.GetValue<string>());
        Assert.Equal(Unified.Results(done), Classic.Results(classic));
        Assert.Equal("0.1191", classic["usage"]!["cost"]!.GetValue<string>());
        Assert.Equal(4, classic["metadata"]!["imageCount"]!.GetValue<int>());
    }

    private static async Task<(string Id, List<RgbaImage> Images)> RunAsync(HttpClient client, Dialect d, object body)
    {
        var (status, created) = await client.PostJsonAsync(d.CreatePath, body);
        Assert.True(status == 200, $"{d.Name} create answered {status}: {created.ToJsonString()}");
        var id = created["id"]!.GetValue<string>();
        var (task, _) = await client.UntilDoneAsync(d.QueryPath(id));
        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        var urls = d.Results(task);
        Assert.Equal(4, urls.Count);
        var decoded = new List<RgbaImage>();
        foreach (var url in urls)
        {
            decoded.Add(TestImages.Decode(await client.DownloadAsync(url)));
        }
        return (id, decoded);
    }
}
