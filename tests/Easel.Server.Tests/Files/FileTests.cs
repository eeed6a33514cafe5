using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Easel.Server.Tests.Infrastructure;

namespace Easel.Server.Tests.Files;

public sealed class FileTests
{
    [Fact]
    public async Task An_upload_is_used_as_an_image_url_read_from_storage_not_over_http()
    {
        // Private networks refused: were the upload fetched over HTTP (from this loopback host), the task would fail.
        using var host = new EaselHost(new() { ["Easel:Outbound:AllowPrivateNetworks"] = "false" });
        using var client = await host.NewAccountAsync();
        var (status, file) = await UploadAsync(client, TestImages.PatternPng(48, 40), "photo.png");
        Assert.Equal(201, status);
        Assert.Equal(48, file["width"]!.GetValue<int>());
        Assert.Equal(40, file["height"]!.GetValue<int>());
        var url = file["url"]!.GetValue<string>();
        Assert.Matches("/files/[0-9a-f]{2}/[0-9a-f]{32}\\.png$", url);

        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url, canvas: 64));
        var (task, _) = await client.UnifiedDoneAsync(created["id"]!.GetValue<string>());
        Assert.Equal("completed", task["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Files_are_served_with_their_type_and_immutable_caching()
    {
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var png = TestImages.PatternPng(8, 8);
        var (_, file) = await UploadAsync(client, png, "a.png");
        using var anonymous = host.CreateClient();
        using var response = await anonymous.GetAsync(new Uri(file["url"]!.GetValue<string>()).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("immutable", response.Headers.CacheControl!.ToString());
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal(png, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/files/ab/abcdef.png")]
    [InlineData("/files/ab/ab000000000000000000000000000000.png")]
    [InlineData("/files/..%2F..%2Feasel.db/x")]
    [InlineData("/files/ab/ab00000000000000000000000000000g.png")]
    public async Task Unknown_or_malformed_file_names_are_not_found(string path)
    {
        using var host = new EaselHost();
        using var anonymous = host.CreateClient();
        using var response = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task An_upload_of_a_format_without_a_decoder_is_refused_with_the_format_named()
    {
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        byte[] bmp = [.. "BM"u8, 0, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0, 64, 0, 0, 0, 32, 0, 0, 0, 1, 0, 24, 0];
        var (status, body) = await UploadAsync(client, bmp, "a.bmp");
        Assert.Equal(400, status);
        Assert.Equal("file", body["error"]!["param"]!.GetValue<string>());
        Assert.Contains("BMP", body["error"]!["message"]!.GetValue<string>());
        Assert.Contains("PNG, JPEG, WebP, GIF, AVIF, TIFF", body["error"]!["message"]!.GetValue<string>());
        var (textStatus, _) = await UploadAsync(client, "hello"u8.ToArray(), "a.txt");
        Assert.Equal(400, textStatus);
    }

    [Fact]
    public async Task A_jpeg_upload_is_kept_as_jpeg_and_served_as_such()
    {
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var jpeg = Easel.Imaging.ImageCodec.EncodeJpeg(TestImages.Pattern(40, 30), 85);
        var (status, file) = await UploadAsync(client, jpeg, "photo.jpg");
        Assert.Equal(201, status);
        Assert.Equal("image/jpeg", file["content_type"]!.GetValue<string>());
        Assert.EndsWith(".jpg", file["url"]!.GetValue<string>());
        using var response = await client.GetAsync(new Uri(file["url"]!.GetValue<string>()).PathAndQuery);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(jpeg, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task An_upload_needs_a_key()
    {
        using var host = new EaselHost();
        using var anonymous = host.CreateClient();
        var (status, body) = await UploadAsync(anonymous, TestImages.PatternPng(8, 8), "a.png");
        Assert.Equal(401, status);
        Assert.Equal("unauthorized", body["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_upload_over_the_limit_is_413()
    {
        using var host = new EaselHost(new() { ["Easel:Outbound:MaxImageBytes"] = "10000" });
        using var client = await host.NewAccountAsync();
        var (status, body) = await UploadAsync(client, new byte[200_000], "a.png");
        Assert.Equal(413, status);
        Assert.Equal("request_too_large", body["error"]!["code"]!.GetValue<string>());
    }

    internal static async Task<(int Status, JsonObject Body)> UploadAsync(HttpClient client, byte[] bytes, string name)
    {
        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, "file", name);
        using var response = await client.PostAsync("/v1/files", form);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }
}
