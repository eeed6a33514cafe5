using Easel.Imaging;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;
using NetVips;

namespace Easel.Server.Tests.Files;

/// <summary>The formats people send reach the engine; results come back in the format asked for.</summary>
public sealed class FormatTests
{
    public static TheoryData<string, string> SourceFormats => new()
    {
        { "webp", "image/webp" },
        { "gif", "image/gif" },
        { "avif", "image/avif" },
        { "tif", "image/tiff" },
    };

    [Theory]
    [MemberData(nameof(SourceFormats))]
    public async Task An_upload_of_each_decoded_format_is_kept_served_and_painted_from(string extension, string contentType)
    {
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var bytes = Encode(TestImages.Pattern(48, 40), extension);

        var (status, file) = await FileTests.UploadAsync(client, bytes, "photo." + extension);

        Assert.Equal(201, status);
        Assert.Equal(contentType, file["content_type"]!.GetValue<string>());
        Assert.Equal((48, 40), (file["width"]!.GetValue<int>(), file["height"]!.GetValue<int>()));
        var url = file["url"]!.GetValue<string>();
        Assert.EndsWith("." + extension, url);
        using (var served = await client.GetAsync(new Uri(url).PathAndQuery))
        {
            Assert.Equal(contentType, served.Content.Headers.ContentType!.MediaType);
            Assert.Equal(bytes, await served.Content.ReadAsByteArrayAsync());
        }

        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url, canvas: 64));
        var (task, _) = await client.UnifiedDoneAsync(created["id"]!.GetValue<string>());
        Assert.Equal("completed", task["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Results_are_webp_when_asked_in_either_dialect()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var url = images.Serve("/a.webp", ImageCodec.EncodeWebP(TestImages.Pattern(64, 48), 90), "image/webp");
        var body = Requests.UnifiedUploadPaint(url, canvas: 80);
        ((Dictionary<string, object?>)body["model_params"]!)["output_format"] = "webp";

        var (_, created) = await client.PostJsonAsync("/v1/images/generations", body);
        var (task, _) = await client.UnifiedDoneAsync(created["id"]!.GetValue<string>());

        Assert.Equal("completed", task["status"]!.GetValue<string>());
        foreach (var result in task["results"]!.AsArray())
        {
            var location = result!.GetValue<string>();
            Assert.EndsWith(".webp", location);
            using var response = await client.GetAsync(new Uri(location).PathAndQuery);
            Assert.Equal("image/webp", response.Content.Headers.ContentType!.MediaType);
            var decoded = ImageCodec.Decode(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal((80, 80), (decoded.Width, decoded.Height));
        }

        var (_, classic) = await client.PostJsonAsync("/model/v1/generation", new
        {
            model = "midjourney_remix", jobId = task["id"]!.GetValue<string>(), imageNo = 2, remixPrompt = "p", mode = 0, outputFormat = "webp",
        });
        var (done, _) = await client.ClassicDoneAsync(classic["id"]!.GetValue<string>());
        Assert.Equal("completed", done["status"]!.GetValue<string>());
        Assert.EndsWith(".webp", done["output"]![0]!["content"]![0]!["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_heic_upload_is_refused_naming_heic_and_what_is_supported()
    {
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        byte[] heic = [0, 0, 0, 24, .. "ftypheic"u8, 0, 0, 0, 0, .. "mif1heic"u8, 0, 0, 0, 20, .. "ispe"u8, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0, 48];

        var (status, body) = await FileTests.UploadAsync(client, heic, "photo.heic");

        Assert.Equal(400, status);
        Assert.Contains("HEIC", body["error"]!["message"]!.GetValue<string>());
        Assert.Contains("supported formats: PNG, JPEG, WebP, GIF, AVIF, TIFF", body["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_damaged_mask_image_fails_the_task_with_a_reason_and_refunds_it()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var webp = ImageCodec.EncodeWebP(TestImages.Pattern(64, 64), 90);
        var source = images.Serve("/source.png", TestImages.PatternPng(64, 64));
        var mask = images.Serve("/mask.webp", webp[..(webp.Length / 2)], "image/webp");
        var (_, first) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(source, canvas: 64));
        var (done, _) = await client.UnifiedDoneAsync(first["id"]!.GetValue<string>());

        var (status, created) = await client.PostJsonAsync("/v1/images/generations", new Dictionary<string, object?>
        {
            ["model"] = "mj-v7-inpaint",
            ["prompt"] = "p",
            ["model_params"] = new Dictionary<string, object?> { ["task_id"] = done["id"]!.GetValue<string>(), ["image_number"] = 0, ["mask"] = new Dictionary<string, object?> { ["url"] = mask } },
        });
        Assert.Equal(200, status);
        var (task, _) = await client.UnifiedDoneAsync(created["id"]!.GetValue<string>());

        Assert.Equal("failed", task["status"]!.GetValue<string>());
        Assert.Equal("image_processing_error", task["error"]!["code"]!.GetValue<string>());
        Assert.Contains("WebP", task["error"]!["message"]!.GetValue<string>());
        Assert.DoesNotContain("vips", task["error"]!["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_decompression_bomb_upload_is_refused_from_its_header()
    {
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        // The header of a 30000x30000 PNG: the size alone refuses it (a few KB of zlib zeros would inflate to 3.6 GB).
        var png = Outbound.ImageFetchTests.PngWithHeader(30_000, 30_000);

        var (status, body) = await FileTests.UploadAsync(client, png, "bomb.png");

        Assert.Equal(400, status);
        Assert.Equal("file", body["error"]!["param"]!.GetValue<string>());
        Assert.Contains("30000x30000 pixels; at most 40000000 pixels", body["error"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public void The_blob_stores_accept_every_extension_the_image_table_stores_and_serve_it_as_the_table_says()
    {
        Assert.Equal(ImageFileTypes.Extensions, Easel.Storage.Blobs.BlobKeys.Extensions);
        foreach (var extension in ImageFileTypes.Extensions)
        {
            Assert.Equal(ImageFileTypes.ContentTypeOfExtension(extension), Easel.Storage.Blobs.BlobKeys.ContentTypeOf("ab/ab0123456789abcdef0123456789abcd." + extension));
        }
    }

    private static byte[] Encode(RgbaImage image, string extension)
    {
        using var raw = Image.NewFromMemory(image.Pixels, image.Width, image.Height, 4, Enums.BandFormat.Uchar);
        using var rgba = raw.Copy(interpretation: Enums.Interpretation.Srgb);
        return extension switch
        {
            "webp" => ImageCodec.EncodeWebP(image, 90),
            "gif" => rgba.GifsaveBuffer(),
            "avif" => rgba.HeifsaveBuffer(q: 60, compression: Enums.ForeignHeifCompression.Av1, effort: 0),
            _ => rgba.TiffsaveBuffer(compression: Enums.ForeignTiffCompression.Lzw),
        };
    }
}
