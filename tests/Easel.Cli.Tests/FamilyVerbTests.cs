using Easel.Cli.Tests.Infrastructure;
using Easel.Imaging;

namespace Easel.Cli.Tests;

/// <summary><c>easel submit</c> with the rest of the family's options, and <c>easel models</c>, against a real server process.</summary>
[Collection(UsesEaselServer.Name)]
public sealed class FamilyVerbTests(EaselServer server) : IDisposable
{
    private const string Mask = "30,30,30,90,90,90,90,30";
    private readonly string _folder = Directory.CreateTempSubdirectory("easel-cli-family-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<string> KeyAsync() => (await server.CreateAccountAsync("Family", "--credits", "1000")).ApiKey;

    private static (int Width, int Height) SizeOf(string path)
    {
        var image = ImageCodec.Decode(File.ReadAllBytes(path));
        return (image.Width, image.Height);
    }

    [Fact]
    public async Task Upscale_then_pan_and_outpaint_take_type_direction_and_scale_and_save_the_models_images()
    {
        var key = await KeyAsync();
        var source = Path.Combine(_folder, "source.png");
        await File.WriteAllBytesAsync(source, TestPng.PatternPng(40, 32));
        var paint = await server.RunWithKeyAsync(key, "submit", "upload-paint", "-p", "a quiet harbour", "--image", source,
            "--canvas", "40x32", "--position", "40x32+0+0", "--mask-area", Mask, "--mask-frame", "128x128", "--json",
            "-o", Path.Combine(_folder, "paint"), "--poll-interval", "0.1");
        Assert.True(paint.ExitCode == 0, paint.ToString());
        var paintId = paint.Json.RootElement.GetProperty("id").GetString()!;

        var upscaleOut = Path.Combine(_folder, "upscale");
        var upscale = await server.RunWithKeyAsync(key, "submit", "upscale", "--task", paintId, "--image-number", "2", "--type", "standard",
            "--json", "-o", upscaleOut, "--poll-interval", "0.1");
        Assert.True(upscale.ExitCode == 0, upscale.ToString());
        Assert.Equal(["1.png"], Directory.GetFiles(upscaleOut).Select(Path.GetFileName));
        Assert.Equal((80, 64), SizeOf(Path.Combine(upscaleOut, "1.png")));
        var upscaleId = upscale.Json.RootElement.GetProperty("id").GetString()!;

        var panOut = Path.Combine(_folder, "pan");
        var pan = await server.RunWithKeyAsync(key, "submit", "mj-v7-pan", "--task", upscaleId, "--direction", "down", "--scale", "1.5",
            "-o", panOut, "--poll-interval", "0.1");
        Assert.True(pan.ExitCode == 0, pan.ToString());
        Assert.Contains("Saved 4 images", pan.Stdout);
        Assert.All(Directory.GetFiles(panOut), f => Assert.Equal((80, 96), SizeOf(f)));

        var outpaintOut = Path.Combine(_folder, "outpaint");
        var outpaint = await server.RunWithKeyAsync(key, "submit", "midjourney_outpaint", "--task", upscaleId, "--scale", "1.25",
            "-o", outpaintOut, "--poll-interval", "0.1");
        Assert.True(outpaint.ExitCode == 0, outpaint.ToString());
        Assert.All(Directory.GetFiles(outpaintOut), f => Assert.Equal((100, 80), SizeOf(f)));
    }

    [Theory]
    [InlineData("upscale", "--scale", "1.5", "mj-v7-upscale takes no --scale")]
    [InlineData("variation", "--direction", "left", "mj-v7-variation takes no --direction")]
    [InlineData("remove-bg", "--prompt", "a cat", "mj-v7-remove-bg takes no --prompt")]
    [InlineData("pan", "--speed", "draft", "mj-v7-pan takes --speed fast or turbo")]
    public async Task An_option_the_model_does_not_take_is_refused_before_any_request(string model, string option, string value, string message)
    {
        var run = await server.RunWithKeyAsync(await KeyAsync(), "submit", model, "--task", "task-unified-1-x", option, value);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Stderr);
    }

    [Fact]
    public async Task Imagine_with_text_is_refused_by_a_server_whose_engine_cannot_imagine()
    {
        var run = await server.RunWithKeyAsync(await KeyAsync(), "submit", "imagine", "--text", "a cat", "--speed", "draft");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("Model mj-v7 is not available on this server", run.Stderr);
    }

    [Fact]
    public async Task Models_lists_every_model_with_both_names_and_what_serves_it()
    {
        var key = await KeyAsync();
        var table = await server.RunWithKeyAsync(key, "models");
        Assert.True(table.ExitCode == 0, table.ToString());
        foreach (var name in new[] { "mj-v7-upload-paint", "midjourney_diffusion", "mj-v7-remove-bg", "midjourney_pan" })
        {
            Assert.Contains(name, table.Stdout);
        }
        Assert.Contains("not available here", table.Stdout);
        Assert.Contains("local", table.Stdout);

        var json = await server.RunWithKeyAsync(key, "models", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var models = json.Json.RootElement.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(12, models.Count);
        Assert.Equal(1, models.Single(m => m.GetProperty("id").GetString() == "mj-v7-upscale").GetProperty("image_count").GetInt32());
    }
}
