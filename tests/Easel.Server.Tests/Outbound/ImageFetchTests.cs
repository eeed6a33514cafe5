using System.Buffers.Binary;
using Easel.Imaging;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Outbound;

/// <summary>An image URL that cannot be used fails the task with a message that says why; nothing hangs or crashes.</summary>
public sealed class ImageFetchTests
{
    [Fact]
    public async Task Loopback_urls_are_refused_by_default_without_being_contacted()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost(new() { ["Easel:Outbound:AllowPrivateNetworks"] = "false" });
        using var client = await host.NewAccountAsync();
        var url = images.Serve("/a.png", TestImages.PatternPng(32, 32));
        var failed = await FailAsync(client, url);
        Assert.Equal("image_processing_error", failed["error"]!["code"]!.GetValue<string>());
        Assert.Contains("private or reserved address", failed["error"]!["message"]!.GetValue<string>());
        Assert.Equal(0, images.Hits("/a.png"));
    }

    [Fact]
    public async Task A_url_that_answers_404_fails_the_task_with_the_model_code()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var (_, created) = await client.PostJsonAsync("/model/v1/generation", Requests.ClassicUploadPaint(images.BaseUrl + "/missing.png"));
        var (task, _) = await client.ClassicDoneAsync(created["id"]!.GetValue<string>());
        Assert.Equal("failed", task["status"]!.GetValue<string>());
        Assert.Equal(4014098, task["error"]!["code"]!.GetValue<int>());
        Assert.Contains("HTTP 404", task["error"]!["error_message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_url_that_does_not_answer_in_time_fails_the_task()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost(new() { ["Easel:Outbound:ImageTimeout"] = "00:00:01" });
        using var client = await host.NewAccountAsync();
        var url = images.Handle("/slow.png", async http => await Task.Delay(TimeSpan.FromSeconds(30), http.RequestAborted));
        var failed = await FailAsync(client, url);
        Assert.Contains("did not answer within 1 s", failed["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_image_over_the_byte_limit_fails_the_task()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost(new() { ["Easel:Outbound:MaxImageBytes"] = "1000" });
        using var client = await host.NewAccountAsync();
        var declared = await FailAsync(client, images.Serve("/big.png", new byte[5000]));
        Assert.Contains("over the limit of 1000 bytes", declared["error"]!["message"]!.GetValue<string>());

        // A server that does not declare its length is counted while reading.
        var chunked = images.Handle("/chunked.png", async http =>
        {
            for (var i = 0; i < 10; i++)
            {
                await http.Response.Body.WriteAsync(new byte[500]);
                await http.Response.Body.FlushAsync();
            }
        });
        var counted = await FailAsync(client, chunked);
        Assert.Contains("over the limit of 1000 bytes", counted["error"]!["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("text", "not an image")]
    [InlineData("jpeg", "JPEG")]
    [InlineData("gif", "GIF")]
    [InlineData("giant", "60000x60000 pixels; at most 40000000 pixels")]
    [InlineData("truncated", "")]
    public async Task Bytes_that_are_not_a_usable_image_fail_the_task_with_a_reason(string kind, string expected)
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var png = TestImages.PatternPng(32, 32);
        byte[] body = kind switch
        {
            "text" => "<html>hello</html>"u8.ToArray(),
            "jpeg" => [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0],
            "gif" => "GIF89a\x01\x00\x01\x00\x00\x00\x00;"u8.ToArray(),
            "giant" => PngWithHeader(60_000, 60_000),
            _ => png[..(png.Length / 2)],
        };
        var failed = await FailAsync(client, images.Serve("/x", body));
        Assert.Equal("image_processing_error", failed["error"]!["code"]!.GetValue<string>());
        Assert.Contains(expected, failed["error"]!["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("vips", failed["error"]!["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_jpeg_photo_is_used_and_results_can_be_jpeg_too()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var url = images.Serve("/photo.jpg", ImageCodec.EncodeJpeg(TestImages.Pattern(64, 48), 90), "image/jpeg");
        var body = Requests.UnifiedUploadPaint(url, canvas: 96);
        ((Dictionary<string, object?>)body["model_params"]!)["output_format"] = "jpeg";
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", body);
        var (task, _) = await client.UnifiedDoneAsync(created["id"]!.GetValue<string>());
        Assert.Equal("completed", task["status"]!.GetValue<string>());
        foreach (var result in task["results"]!.AsArray())
        {
            var location = result!.GetValue<string>();
            Assert.EndsWith(".jpg", location);
            using var response = await client.GetAsync(new Uri(location).PathAndQuery);
            Assert.Equal("image/jpeg", response.Content.Headers.ContentType!.MediaType);
            var decoded = ImageCodec.Decode(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal((96, 96), (decoded.Width, decoded.Height));
        }

        // A chain goes on from a JPEG result; the classic spelling of the option is outputFormat.
        var (_, edit) = await client.PostJsonAsync("/model/v1/generation", new
        {
            model = "midjourney_inpaint", jobId = task["id"]!.GetValue<string>(), imageNo = 1, outputFormat = "png",
            mask = new { areas = new[] { new { width = 500, height = 500, points = new[] { 100, 100, 100, 300, 300, 300, 300, 100 } } } },
        });
        var (done, _) = await client.ClassicDoneAsync(edit["id"]!.GetValue<string>());
        Assert.Equal("completed", done["status"]!.GetValue<string>());
        Assert.EndsWith(".png", done["output"]![0]!["content"]![0]!["url"]!.GetValue<string>());

        var (bad, refused) = await client.PostJsonAsync("/model/v1/generation", new
        {
            model = "midjourney_remix", jobId = task["id"]!.GetValue<string>(), imageNo = 0, remixPrompt = "p", outputFormat = "gif",
        });
        Assert.Equal(400, bad);
        Assert.Equal(4000400, refused["error"]!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Redirects_are_followed_at_most_three_times()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        images.Serve("/final.png", TestImages.PatternPng(32, 32));
        for (var i = 1; i <= 4; i++)
        {
            var next = i == 1 ? "/final.png" : $"/hop{i - 1}";
            images.Handle($"/hop{i}", http =>
            {
                http.Response.StatusCode = 302;
                http.Response.Headers.Location = next;
                return Task.CompletedTask;
            });
        }
        var (_, three) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(images.BaseUrl + "/hop3"));
        Assert.Equal("completed", (await client.UnifiedDoneAsync(three["id"]!.GetValue<string>())).Task["status"]!.GetValue<string>());
        var failed = await FailAsync(client, images.BaseUrl + "/hop4");
        Assert.Contains("redirected more than 3 times", failed["error"]!["message"]!.GetValue<string>());
    }

    private static async Task<System.Text.Json.Nodes.JsonObject> FailAsync(HttpClient client, string url)
    {
        var (status, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url));
        Assert.Equal(200, status);
        var (task, _) = await client.UnifiedDoneAsync(created["id"]!.GetValue<string>());
        Assert.Equal("failed", task["status"]!.GetValue<string>());
        return task;
    }

    // A valid PNG signature and IHDR declaring a huge image, and nothing else: the size alone must refuse it.
    internal static byte[] PngWithHeader(int width, int height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = 6;
        using var stream = new MemoryStream();
        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var chunk = new byte[4 + 4 + 13 + 4];
        BinaryPrimitives.WriteInt32BigEndian(chunk, 13);
        "IHDR"u8.CopyTo(chunk.AsSpan(4));
        ihdr.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(21), Crc(chunk.AsSpan(4, 17)));
        stream.Write(chunk);
        return stream.ToArray();
    }

    private static uint Crc(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }
        return ~crc;
    }
}
