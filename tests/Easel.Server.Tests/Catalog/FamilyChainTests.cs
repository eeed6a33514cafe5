using System.Text.Json.Nodes;
using Easel.Imaging;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Catalog;

/// <summary>
/// The rest of the family through HTTP in each dialect, on the local engine: upload-paint -> variation subtle and
/// strong -> upscale (one image, twice the size) -> pan right 1.5 -> outpaint 2.0, checked pixel by pixel where the
/// geometry says pixels are kept; then the refusals that need a real source (image numbers of a one-image task).
/// </summary>
public sealed class FamilyChainTests
{
    private sealed record Dialect(
        string Name,
        string CreatePath,
        Func<string, string> QueryPath,
        Func<JsonObject, List<string>> Results,
        Func<string, object> UploadPaint,
        Func<string, int, string, object> Variation,
        Func<string, int, object> Upscale,
        Func<string, int, string, double, object> Pan,
        Func<string, int, double, object> Outpaint);

    private static readonly Dialect Unified = new(
        "unified", "/v1/images/generations", id => $"/v1/tasks/{id}",
        task => task["results"]!.AsArray().Select(r => r!.GetValue<string>()).ToList(),
        url => new
        {
            model = "mj-v7-upload-paint", prompt = "harbour", image_urls = new[] { url },
            model_params = new
            {
                canvas = new { width = 64, height = 48 },
                img_pos = new { width = 64, height = 48, x = 0, y = 0 },
                mask = new { areas = new[] { new { width = 64, height = 48, points = new[] { 4, 4, 4, 12, 12, 12, 12, 4 } } } },
            },
        },
        (id, n, type) => new { model = "mj-v7-variation", model_params = new { task_id = id, image_number = n, type } },
        (id, n) => new { model = "mj-v7-upscale", model_params = new { task_id = id, image_number = n, type = "standard" } },
        (id, n, direction, scale) => new { model = "mj-v7-pan", prompt = "more harbour", model_params = new { task_id = id, image_number = n, direction, scale } },
        (id, n, scale) => new { model = "mj-v7-outpaint", model_params = new { task_id = id, image_number = n, scale } });

    private static readonly Dialect Classic = new(
        "classic", "/model/v1/generation", id => $"/model/v1/generation/task/{id}",
        task => task["output"]![0]!["content"]!.AsArray().Select(c => c!["url"]!.GetValue<string>()).ToList(),
        url => new
        {
            model = "midjourney_uploadpaint", imgUrl = url, remixPrompt = "harbour",
            canvas = new { width = 64, height = 48 },
            imgPos = new { width = 64, height = 48, x = 0, y = 0 },
            mask = new { areas = new[] { new { width = 64, height = 48, points = new[] { 4, 4, 4, 12, 12, 12, 12, 4 } } } },
        },
        (id, n, type) => new { model = "midjourney_variation", jobId = id, imageNo = n, type = type == "subtle" ? 0 : 1 },
        // The wrapped envelope for upscale: both envelopes are part of the dialect.
        (id, n) => new { model = "midjourney_upscale", input = new[] { new { @params = new { jobId = id, imageNo = n, type = 0 } } } },
        (id, n, direction, scale) => new
        {
            model = "midjourney_pan", jobId = id, imageNo = n, scale, remixPrompt = "more harbour",
            direction = direction switch { "down" => 0, "right" => 1, "up" => 2, _ => 3 },
        },
        (id, n, scale) => new { model = "midjourney_outpaint", jobId = id, imageNo = n, scale });

    public static TheoryData<string> Dialects => new() { "unified", "classic" };

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task Upload_paint_then_variation_upscale_pan_and_outpaint_give_each_its_size_and_keep_the_source_in_place(string dialect)
    {
        var d = dialect == "unified" ? Unified : Classic;
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var url = images.Serve("/source.png", TestImages.PatternPng(64, 48));

        var (paintId, paint) = await RunAsync(client, d, d.UploadPaint(url), expectedImages: 4);
        Assert.All(paint, image => Assert.Equal((64, 48), (image.Width, image.Height)));

        // Variation, both types: four images of the source's size, each unlike the source and unlike each other.
        var (subtleId, subtle) = await RunAsync(client, d, d.Variation(paintId, 1, "subtle"), expectedImages: 4);
        var (_, strong) = await RunAsync(client, d, d.Variation(paintId, 1, "strong"), expectedImages: 4);
        foreach (var variants in new[] { subtle, strong })
        {
            Assert.All(variants, image => Assert.Equal((64, 48), (image.Width, image.Height)));
            Assert.All(variants, image => Assert.True(Pixels.MeanAbsoluteDifference(paint[1], image) > 0.5, "a variant must differ from its source"));
            for (var i = 0; i < variants.Count; i++)
            {
                for (var j = i + 1; j < variants.Count; j++)
                {
                    var apart = Pixels.MeanAbsoluteDifference(variants[i], variants[j]);
                    Assert.True(apart > 0.5, $"variants {i} and {j} are alike ({apart:0.00})");
                }
            }
        }
        var subtleDistance = subtle.Average(i => Pixels.MeanAbsoluteDifference(paint[1], i));
        var strongDistance = strong.Average(i => Pixels.MeanAbsoluteDifference(paint[1], i));
        Assert.True(strongDistance > subtleDistance, $"strong ({strongDistance:0.00}) must move further than subtle ({subtleDistance:0.00})");

        // Upscale of subtle image 2: one image, twice each side, the source again when brought back down.
        var source = subtle[2];
        var (upscaleId, upscaled) = await RunAsync(client, d, d.Upscale(subtleId, 2), expectedImages: 1);
        var up = Assert.Single(upscaled);
        Assert.Equal((128, 96), (up.Width, up.Height));
        var back = Resampler.Resize(up, source.Width, source.Height, ResampleFilter.Bilinear);
        Assert.True(Pixels.MeanAbsoluteDifference(source, back) < 6, "the upscale must be the source, enlarged");

        // A one-image task has image 0 only: image 1 of it is the model's invalid image number (409).
        var (refusedStatus, refused) = await client.PostJsonAsync(d.CreatePath, d.Pan(upscaleId, 1, "right", 1.5));
        Assert.True(refusedStatus == 409, refused.ToJsonString());
        if (d == Classic)
        {
            Assert.Equal(4_054_003, refused["error"]!["code"]!.GetValue<int>());
        }
        else
        {
            Assert.Equal("invalid_request", refused["error"]!["code"]!.GetValue<string>());
        }

        // Pan right 1.5: width x1.5, height kept, the upscaled image unchanged at the left.
        var (panId, panned) = await RunAsync(client, d, d.Pan(upscaleId, 0, "right", 1.5), expectedImages: 4);
        Assert.All(panned, image => Assert.Equal((192, 96), (image.Width, image.Height)));
        foreach (var image in panned)
        {
            AssertSameRegion(up, image, 0, 0);
        }
        Assert.True(Pixels.MeanAbsoluteDifference(panned[0], panned[3]) > 0.1, "the filled parts of the variants must differ");

        // The pan reads in the other dialect too, under that dialect's name for the model, with the same results.
        var other = d == Unified ? Classic : Unified;
        var (otherStatus, read) = await client.GetJsonAsync(other.QueryPath(panId));
        Assert.True(otherStatus == 200, read.ToJsonString());
        Assert.Equal(other == Unified ? "mj-v7-pan" : "midjourney_pan", read["model"]!.GetValue<string>());
        Assert.Equal(4, other.Results(read).Count);

        // Outpaint 2.0: both sides doubled, the pan result centred and unchanged.
        var (_, outpainted) = await RunAsync(client, d, d.Outpaint(panId, 3, 2.0), expectedImages: 4);
        Assert.All(outpainted, image => Assert.Equal((384, 192), (image.Width, image.Height)));
        foreach (var image in outpainted)
        {
            AssertSameRegion(panned[3], image, 96, 48);
        }
    }

    [Fact]
    public async Task A_pan_whose_result_would_exceed_4096_a_side_is_refused_at_create_with_nothing_reserved()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        var (accountId, client, _) = await host.CreateAccountAsync(new { name = "wide", credits = 1000 });
        var url = images.Serve("/wide.png", TestImages.PatternPng(256, 16));
        var (status, created) = await client.PostJsonAsync(Unified.CreatePath, new
        {
            model = "mj-v7-upload-paint", prompt = "a long wall", image_urls = new[] { url },
            model_params = new
            {
                canvas = new { width = 4000, height = 16 },
                img_pos = new { width = 4000, height = 16, x = 0, y = 0 },
                mask = new { areas = new[] { new { width = 4000, height = 16, points = new[] { 10, 2, 10, 8, 20, 8, 20, 2 } } } },
            },
        });
        Assert.True(status == 200, created.ToJsonString());
        var id = created["id"]!.GetValue<string>();
        var (done, _) = await client.UnifiedDoneAsync(id);
        Assert.Equal("completed", done["status"]!.GetValue<string>());
        var before = await host.BalanceMatchingLedgerAsync(accountId);
        var rows = (await host.LedgerAsync(accountId))["data"]!.AsArray().Count;

        var (panStatus, pan) = await client.PostJsonAsync(Unified.CreatePath, Unified.Pan(id, 0, "left", 1.1));
        Assert.True(panStatus == 400, pan.ToJsonString());
        Assert.Equal("model_params.scale", pan["error"]!["param"]!.GetValue<string>());
        var (outpaintStatus, outpaint) = await client.PostJsonAsync(Classic.CreatePath, Classic.Outpaint(id, 0, 1.1));
        Assert.True(outpaintStatus == 400, outpaint.ToJsonString());
        Assert.Equal(4_053_005, outpaint["error"]!["code"]!.GetValue<int>());
        var (upscaleStatus, upscale) = await client.PostJsonAsync(Classic.CreatePath, Classic.Upscale(id, 0));
        Assert.True(upscaleStatus == 400, upscale.ToJsonString());
        Assert.Equal(4_051_004, upscale["error"]!["code"]!.GetValue<int>());
        // Up and down keep the width: a pan of 4000x16 upwards by 3 is 4000x48, within the limits.
        var (upStatus, upPan) = await client.PostJsonAsync(Unified.CreatePath, Unified.Pan(id, 0, "up", 3.0));
        Assert.True(upStatus == 200, upPan.ToJsonString());
        await client.UnifiedDoneAsync(upPan["id"]!.GetValue<string>());

        var after = await host.BalanceMatchingLedgerAsync(accountId);
        Assert.Equal(before - 5.4m, after);
        Assert.Equal(rows + 2, (await host.LedgerAsync(accountId))["data"]!.AsArray().Count);
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task Every_secondary_model_of_the_family_refuses_a_source_that_is_not_completed_with_409(string dialect)
    {
        var d = dialect == "unified" ? Unified : Classic;
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var slow = images.Stall("/slow.png", TimeSpan.FromSeconds(3));
        var (status, created) = await client.PostJsonAsync(d.CreatePath, d.UploadPaint(slow));
        Assert.True(status == 200, created.ToJsonString());
        var source = created["id"]!.GetValue<string>();

        foreach (var (body, code) in new (object, int)[]
        {
            (d.Variation(source, 0, "strong"), 4_052_003), (d.Upscale(source, 0), 4_051_003),
            (d.Pan(source, 0, "up", 2.0), 4_054_003), (d.Outpaint(source, 0, 1.5), 4_053_003),
        })
        {
            var (refused, answer) = await client.PostJsonAsync(d.CreatePath, body);
            Assert.True(refused == 409, answer.ToJsonString());
            if (d == Classic)
            {
                Assert.Equal(code, answer["error"]!["code"]!.GetValue<int>());
            }
            else
            {
                Assert.Equal("model_params.task_id", answer["error"]!["param"]!.GetValue<string>());
            }
        }
    }

    private static void AssertSameRegion(RgbaImage inner, RgbaImage outer, int left, int top)
    {
        for (var y = 0; y < inner.Height; y++)
        {
            for (var x = 0; x < inner.Width; x++)
            {
                if (Pixels.At(inner, x, y) != Pixels.At(outer, x + left, y + top))
                {
                    Assert.Fail($"pixel ({x}, {y}) of the source moved or changed at ({x + left}, {y + top})");
                }
            }
        }
    }

    private static async Task<(string Id, List<RgbaImage> Images)> RunAsync(HttpClient client, Dialect d, object body, int expectedImages)
    {
        var (status, created) = await client.PostJsonAsync(d.CreatePath, body);
        Assert.True(status == 200, $"{d.Name} create answered {status}: {created.ToJsonString()}");
        var id = created["id"]!.GetValue<string>();
        var (task, _) = await client.UntilDoneAsync(d.QueryPath(id));
        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        var urls = d.Results(task);
        Assert.Equal(expectedImages, urls.Count);
        if (d == Classic)
        {
            Assert.Equal(expectedImages, task["metadata"]!["imageCount"]!.GetValue<int>());
        }
        var decoded = new List<RgbaImage>();
        foreach (var url in urls)
        {
            decoded.Add(TestImages.Decode(await client.DownloadAsync(url)));
        }
        return (id, decoded);
    }
}
