using System.Text.Json.Nodes;
using Easel.Imaging;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing.UpstreamFakes;

using static Easel.Server.Tests.Upstream.UpstreamFront;

namespace Easel.Server.Tests.Upstream;

/// <summary>
/// The cog engine serving the rest of the family, as an operator runs it: one cog container per model, each an engine
/// that maps the operations it is for. An inpainting model takes upload-paint, edit, outpaint and pan (the canvas and
/// its mask composed by Easel in the geometry every engine shares), an image-to-image model enhance and retexture, and
/// a background remover remove-bg. What each model received (canvas, mask, size, prompt) and what the task became.
/// </summary>
public sealed class CogFamilyTests
{
    private static readonly string[] Inpainting =
        ["prompt=prompt", "seed=seed", "image=image", "mask=mask", "width=width", "height=height", "strength=prompt_strength", "count=num_outputs"];

    /// <summary>A cog engine on this fake, mapping each operation of <paramref name="maps"/> ("operation" then its field=input pairs).</summary>
    private static Dictionary<string, string?> Engine(string name, FakeCog fake, params (string Operation, string[] Pairs)[] maps)
    {
        var engine = new Dictionary<string, string?>
        {
            [$"Easel:Engines:{name}:Type"] = "cog",
            [$"Easel:Engines:{name}:BaseUrl"] = fake.BaseUrl,
            [$"Easel:Engines:{name}:Options:Width"] = "64",
            [$"Easel:Engines:{name}:Options:Height"] = "48",
        };
        foreach (var (operation, pairs) in maps)
        {
            foreach (var pair in pairs)
            {
                engine[$"Easel:Engines:{name}:Options:Inputs:{operation}:{pair.Split('=')[0]}"] = pair.Split('=')[1];
            }
        }
        return engine;
    }

    /// <summary>The four models of a family, each a fake cog server, and a front whose engines they are.</summary>
    private sealed class Family : IAsyncDisposable
    {
        public required FakeCog Sdxl { get; init; }
        public required FakeCog Inpainter { get; init; }
        public required FakeCog Img2Img { get; init; }
        public required FakeCog Rembg { get; init; }
        public required EaselHost Host { get; init; }
        public required string AccountId { get; init; }
        public required HttpClient Client { get; init; }

        public static async Task<Family> StartAsync()
        {
            var sdxl = await FakeCog.StartAsync();
            var inpainter = await FakeCog.StartAsync();
            inpainter.Model = CogModel.Inpainting;
            var img2img = await FakeCog.StartAsync();
            img2img.Model = CogModel.ImageToImage;
            var rembg = await FakeCog.StartAsync();
            rembg.Model = CogModel.RemoveBackground;
            var host = Front(
                Engine("sdxl", sdxl, ("imagine", ["prompt=prompt", "seed=seed", "width=width", "height=height", "count=num_outputs"])),
                Engine("inpainter", inpainter, ("upload-paint", Inpainting), ("edit", Inpainting), ("outpaint", Inpainting), ("pan", Inpainting)),
                Engine("img2img", img2img,
                    ("enhance", ["image=image", "seed=seed", "strength=prompt_strength", "count=num_outputs"]),
                    ("retexture", ["prompt=prompt", "image=image", "seed=seed", "strength=prompt_strength", "count=num_outputs"])),
                Engine("rembg", rembg, ("remove-bg", ["image=image"])));
            var (accountId, client) = await AccountAsync(host);
            foreach (var fake in new[] { sdxl, inpainter, img2img, rembg })
            {
                fake.UseHandler(host.Server.CreateHandler());
            }
            return new Family { Sdxl = sdxl, Inpainter = inpainter, Img2Img = img2img, Rembg = rembg, Host = host, AccountId = accountId, Client = client };
        }

        public async Task<string> UploadAsync(byte[] png)
        {
            using var form = new MultipartFormDataContent { { new ByteArrayContent(png), "file", "source.png" } };
            using var uploaded = await Client.PostAsync("/v1/files", form);
            return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<JsonObject>(uploaded.Content))!["url"]!.GetValue<string>();
        }

        /// <summary>Runs one create through its dialect to completion; its results as images.</summary>
        public async Task<(string Id, List<RgbaImage> Results)> RunAsync(object body, bool classic, int images)
        {
            var (status, created) = await Client.PostJsonAsync(classic ? "/model/v1/generation" : "/v1/images/generations", body);
            Assert.True(status == 200, created.ToJsonString());
            var id = created["id"]!.GetValue<string>();
            var (task, _) = classic ? await Client.ClassicDoneAsync(id, TimeSpan.FromSeconds(60)) : await Client.UnifiedDoneAsync(id, TimeSpan.FromSeconds(60));
            Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
            var (_, unified) = await Client.GetJsonAsync($"/v1/tasks/{id}");
            var urls = unified["results"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
            Assert.Equal(images, urls.Count);
            var results = new List<RgbaImage>();
            foreach (var url in urls)
            {
                results.Add(ImageCodec.Decode(await Client.DownloadAsync(url)));
            }
            return (id, results);
        }

        public async ValueTask DisposeAsync()
        {
            Host.Dispose();
            Client.Dispose();
            foreach (var fake in new[] { Sdxl, Inpainter, Img2Img, Rembg })
            {
                await fake.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Upload_paint_sends_the_inpainting_model_the_composed_canvas_and_its_mask_and_keeps_what_it_painted(bool classic)
    {
        await using var family = await Family.StartAsync();
        var source = await family.UploadAsync(TestImages.PatternPng(96, 96));

        var (_, results) = await family.RunAsync(classic ? Requests.ClassicUploadPaint(source) : Requests.UnifiedUploadPaint(source), classic, 4);

        var p = Assert.Single(family.Inpainter.Predictions);
        Assert.Equal(("a quiet harbour", 128, 128, 4), (p.Prompt, p.Input["width"]!.GetValue<int>(), p.Input["height"]!.GetValue<int>(),
            p.Input["num_outputs"]!.GetValue<int>()));
        Assert.StartsWith("data:image/png;base64,", p.Input["image"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0.75, p.Input["prompt_strength"]!.GetValue<double>());
        // The 96-pixel source scaled to 64 at (32, 32) of the 128 canvas: outside it the canvas is new (white in the
        // mask, see-through in the image); inside, the polygon (30-45 of a 100 frame: 38-58) is repainted too.
        Assert.Equal((128, 128, 128, 128), (p.Image!.Width, p.Image.Height, p.Mask!.Width, p.Mask.Height));
        Assert.Equal((255, 0, 255), (Grey(p.Mask, 5, 5), Grey(p.Mask, 80, 80), Grey(p.Mask, 48, 48)));
        Assert.Equal((0, 255), (p.Image.Pixels[At(p.Image, 5, 5) + 3], p.Image.Pixels[At(p.Image, 80, 80) + 3]));
        for (var n = 0; n < 4; n++)
        {
            var (r, g, b) = FakeCog.Colour("a quiet harbour", p.Seed + n);
            Assert.Equal((128, 128), (results[n].Width, results[n].Height));
            Assert.Equal([r, g, b], Rgb(results[n], 5, 5));
            Assert.Equal(Rgb(p.Image, 80, 80), Rgb(results[n], 80, 80));
        }
        Assert.Empty(family.Sdxl.Predictions);
    }

    [Fact]
    public async Task Edit_outpaint_pan_enhance_and_retexture_each_reach_their_model_with_the_canvas_and_mask_of_their_geometry()
    {
        await using var family = await Family.StartAsync();
        var (imagine, imagined) = await family.RunAsync(new { model = "mj-v7", prompt = Prompt }, classic: false, 4);
        var made = family.Sdxl.Predictions[0];

        // Edit: the 64x48 image scaled to 128x128 at (-20, -14) of a 160x100 canvas; its right part is new.
        var (edit, edited) = await family.RunAsync(new
        {
            model = "midjourney_edit", jobId = imagine, imageNo = 2, remixPrompt = "harbour at dusk",
            canvas = new { width = 160, height = 100 }, imgPos = new { width = 128, height = 128, x = -20, y = -14 },
        }, classic: true, 4);
        var e = family.Inpainter.Predictions[^1];
        Assert.Equal(("harbour at dusk", 160, 100), (e.Prompt, e.Input["width"]!.GetValue<int>(), e.Input["height"]!.GetValue<int>()));
        Assert.Equal((255, 0), (Grey(e.Mask!, 150, 50), Grey(e.Mask!, 50, 50)));
        var (r, g, b) = FakeCog.Colour(Prompt, made.Seed + 2);
        Assert.Equal([r, g, b], Rgb(e.Image!, 50, 50));
        Assert.Equal([r, g, b], Rgb(edited[1], 50, 50));

        // Outpaint 1.5: the 160x100 result centred on 240x150, the border new and repainted from nothing (strength 1).
        await family.RunAsync(new { model = "midjourney_outpaint", jobId = edit, imageNo = 1, scale = 1.5 }, classic: true, 4);
        var o = family.Inpainter.Predictions[^1];
        Assert.Equal(("", 240, 150, 1.0), (o.Prompt, o.Input["width"]!.GetValue<int>(), o.Input["height"]!.GetValue<int>(), o.Input["prompt_strength"]!.GetValue<double>()));
        Assert.Equal((240, 150, 255, 0), (o.Mask!.Width, o.Mask.Height, Grey(o.Mask, 2, 2), Grey(o.Mask, 120, 75)));
        Assert.Equal(Rgb(edited[1], 80, 50), Rgb(o.Image!, 120, 75));

        // Pan right 1.5: the 160x100 result against the left of 240x100, the right third new.
        var (pan, panned) = await family.RunAsync(new
        {
            model = "mj-v7-pan", prompt = "more sea", model_params = new { task_id = edit, image_number = 3, direction = "right", scale = 1.5 },
        }, classic: false, 4);
        var p = family.Inpainter.Predictions[^1];
        Assert.Equal(("more sea", 240, 100), (p.Prompt, p.Mask!.Width, p.Mask.Height));
        Assert.Equal((255, 0), (Grey(p.Mask, 230, 50), Grey(p.Mask, 10, 50)));
        Assert.Equal(FakeCog.Colour("more sea", p.Seed + 2), ToTuple(Rgb(panned[2], 230, 50)));

        // Enhance: the pan's result as it is, no prompt; retexture: the upload under its prompt.
        await family.RunAsync(new { model = "midjourney_enhance", jobId = pan, imageNo = 2 }, classic: true, 4);
        var en = family.Img2Img.Predictions[^1];
        Assert.Equal((240, 100, 0.35, false), (en.Image!.Width, en.Image.Height, en.Input["prompt_strength"]!.GetValue<double>(), en.Input.ContainsKey("prompt")));
        Assert.Equal(Rgb(panned[2], 230, 50), Rgb(en.Image, 230, 50));
        var upload = await family.UploadAsync(TestImages.PatternPng(40, 30));
        var (_, retextured) = await family.RunAsync(new { model = "mj-v7-retexture", prompt = "in bronze", image_urls = new[] { upload } }, classic: false, 4);
        var re = family.Img2Img.Predictions[^1];
        Assert.Equal(("in bronze", 40, 30, 0.8), (re.Prompt, re.Image!.Width, re.Image.Height, re.Input["prompt_strength"]!.GetValue<double>()));
        Assert.Equal(TestImages.Pattern(40, 30).Pixels, re.Image.Pixels);
        Assert.Equal(FakeCog.Colour("in bronze", re.Seed + 3), ToTuple(Rgb(retextured[3], 0, 0)));

        Assert.Equal((1, 3, 2, 0), (family.Sdxl.Predictions.Count, family.Inpainter.Predictions.Count, family.Img2Img.Predictions.Count, family.Rembg.Predictions.Count));
        Assert.Equal(4, imagined.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Remove_bg_sends_the_image_alone_and_its_one_result_keeps_the_models_transparent_background(bool classic)
    {
        await using var family = await Family.StartAsync();
        var image = new RgbaImage(40, 40);
        for (var i = 0; i < image.Pixels.Length; i += 4)
        {
            var (x, y) = (i / 4 % 40, i / 4 / 40);
            var subject = x is >= 15 and < 25 && y is >= 15 and < 25;
            (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2], image.Pixels[i + 3]) = subject ? ((byte)200, (byte)30, (byte)30, (byte)255) : ((byte)240, (byte)240, (byte)240, (byte)255);
        }
        var url = await family.UploadAsync(ImageCodec.EncodePng(image, 1));

        var (id, results) = await family.RunAsync(classic ? new { model = "midjourney_remove_bg", imgUrl = url } : new { model = "mj-v7-remove-bg", image_urls = new[] { url } },
            classic, 1);

        var p = Assert.Single(family.Rembg.Predictions);
        Assert.Equal(["image"], p.Input.Select(i => i.Key));
        Assert.Equal(image.Pixels, p.Image!.Pixels);
        var cut = Assert.Single(results);
        Assert.Equal((40, 40, 0, 255), (cut.Width, cut.Height, cut.Pixels[At(cut, 2, 2) + 3], cut.Pixels[At(cut, 20, 20) + 3]));
        Assert.Equal([200, 30, 30], Rgb(cut, 20, 20));
        var (_, task) = await family.Client.GetJsonAsync($"/v1/tasks/{id}");
        Assert.Equal("rembg", task["engine"]!.GetValue<string>());
        Assert.Equal(100m - 2.7m, await family.Host.BalanceMatchingLedgerAsync(family.AccountId));
    }

    [Fact]
    public async Task An_inpainting_model_that_returns_fewer_images_than_upload_paint_gives_fails_the_task_service_error_refunded()
    {
        await using var family = await Family.StartAsync();
        family.Inpainter.Behaviour = CogBehaviour.TooFewOutputs;
        var source = await family.UploadAsync(TestImages.PatternPng(64, 64));

        var (status, created) = await family.Client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(source));
        Assert.True(status == 200, created.ToJsonString());
        var (task, _) = await family.Client.UnifiedDoneAsync(created["id"]!.GetValue<string>(), TimeSpan.FromSeconds(60));

        Assert.True(task["error"]?["code"]?.GetValue<string>() == "service_error", task.ToJsonString());
        Assert.Contains("gave 1 images; this model gives 4", task["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(family.Inpainter.Predictions);
        Assert.Equal(100m, await family.Host.BalanceMatchingLedgerAsync(family.AccountId));
    }

    [Theory]
    [InlineData("outpaint:prompt=prompt;outpaint:count=n", "Easel:Engines:bad: Options:Inputs:outpaint has no 'image'")]
    [InlineData("outpaint:prompt=prompt;outpaint:image=image;outpaint:count=n", "Easel:Engines:bad: Options:Inputs:outpaint has no 'mask'")]
    [InlineData("upload-paint:prompt=prompt;upload-paint:image=image;upload-paint:count=n", "Easel:Engines:bad: Options:Inputs:upload-paint has no 'mask'")]
    [InlineData("pan:image=image;pan:mask=mask", "Easel:Engines:bad: Options:Inputs:pan has no 'count'")]
    [InlineData("retexture:image=image;retexture:count=n", "Easel:Engines:bad: Options:Inputs:retexture has no 'prompt'")]
    [InlineData("edit:image=image;edit:mask=mask;edit:count=n", "Easel:Engines:bad: Options:Inputs:edit has no 'prompt'")]
    [InlineData("enhance:image=image", "Easel:Engines:bad: Options:Inputs:enhance has no 'count'")]
    [InlineData("remove-bg:prompt=prompt", "Easel:Engines:bad: Options:Inputs:remove-bg has no 'image'")]
    [InlineData("remove-bg:image=image;remove-bg:mask=mask", "Options:Inputs:remove-bg:mask maps a mask, which remove-bg does not have")]
    [InlineData("zoom:prompt=prompt", "Options:Inputs:zoom:prompt names 'zoom', which a cog engine does not serve")]
    public void An_operation_mapped_without_the_inputs_it_needs_stops_the_start_naming_the_engine_and_option(string maps, string message)
    {
        var engine = new Dictionary<string, string?> { ["Easel:Engines:bad:Type"] = "cog", ["Easel:Engines:bad:BaseUrl"] = "http://127.0.0.1:9" };
        foreach (var map in maps.Split(';'))
        {
            var (key, value) = (map.Split('=')[0], map.Split('=')[1]);
            engine[$"Easel:Engines:bad:Options:Inputs:{key}"] = value;
        }
        using var host = Front(engine);

        var error = Assert.ThrowsAny<Exception>(() => host.CreateClient());

        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_background_remover_mapped_with_its_image_alone_starts_and_serves_remove_bg_only()
    {
        await using var rembg = await FakeCog.StartAsync();
        using var host = Front(Engine("rembg", rembg, ("remove-bg", ["image=image"])));
        var (_, client) = await AccountAsync(host);

        var (status, refused) = await client.PostJsonAsync("/v1/images/generations", Imagine);

        Assert.True(status == 400, refused.ToJsonString());
        Assert.Equal("model_not_available", refused["error"]!["code"]!.GetValue<string>());
        Assert.Empty(rembg.Predictions);
    }

    private static int At(RgbaImage image, int x, int y) => ((y * image.Width) + x) * 4;

    private static byte Grey(RgbaImage mask, int x, int y) => mask.Pixels[At(mask, x, y)];

    private static byte[] Rgb(RgbaImage image, int x, int y) => image.Pixels[At(image, x, y)..(At(image, x, y) + 3)];

    private static (byte R, byte G, byte B) ToTuple(byte[] rgb) => (rgb[0], rgb[1], rgb[2]);
}
