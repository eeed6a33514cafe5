using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Easel.Imaging;
using Easel.Testing.UpstreamFakes;

namespace Easel.Server.Tests.Upstream;

/// <summary>The fake A1111 server itself, called directly: it must refuse what A1111 refuses, or the adapter's tests prove nothing.</summary>
public sealed class FakeSdWebuiTests
{
    private static HttpClient Client(FakeSdWebui fake, string pair = FakeSdWebui.ApiKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(fake.BaseUrl + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        return client;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Png(RgbaImage image) => Convert.ToBase64String(ImageCodec.EncodePng(image));

    [Fact]
    public async Task Wrong_credentials_are_refused_with_basic_and_the_detail()
    {
        await using var fake = await FakeSdWebui.StartAsync();
        using var client = Client(fake, "easel:wrong");

        var response = await client.PostAsync("sdapi/v1/txt2img", Json("""{"prompt":"x"}"""));

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("Incorrect username or password", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
        Assert.Empty(fake.Calls);
    }

    [Fact]
    public async Task Txt2img_answers_the_batch_in_the_prompt_and_seeds_colours_with_the_seeds_in_info()
    {
        await using var fake = await FakeSdWebui.StartAsync();
        using var client = Client(fake);

        var response = await client.PostAsync("sdapi/v1/txt2img", Json("""{"prompt":"a cat","batch_size":2,"width":32,"height":16,"seed":7}"""));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(200, (int)response.StatusCode);
        var images = body["images"]!.AsArray();
        Assert.Equal(2, images.Count);
        var second = ImageCodec.Decode(Convert.FromBase64String(images[1]!.GetValue<string>()));
        Assert.Equal((32, 16), (second.Width, second.Height));
        var (r, g, b) = FakeSdWebui.Colour("a cat", 8);
        Assert.Equal([r, g, b, 255], second.Pixels[..4]);
        var info = JsonNode.Parse(body["info"]!.GetValue<string>())!;
        Assert.Equal([7L, 8L], info["all_seeds"]!.AsArray().Select(s => s!.GetValue<long>()));
    }

    [Fact]
    public async Task A_field_of_the_wrong_type_is_fastapis_422_and_an_unknown_sampler_a_404()
    {
        await using var fake = await FakeSdWebui.StartAsync();
        using var client = Client(fake);

        var invalid = await client.PostAsync("sdapi/v1/txt2img", Json("""{"prompt":"x","steps":"many"}"""));
        var sampler = await client.PostAsync("sdapi/v1/txt2img", Json("""{"prompt":"x","sampler_name":"Nope"}"""));

        Assert.Equal(422, (int)invalid.StatusCode);
        var problem = JsonNode.Parse(await invalid.Content.ReadAsStringAsync())!["detail"]![0]!;
        Assert.Equal(["body", "steps"], problem["loc"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal("type_error.integer", problem["type"]!.GetValue<string>());
        Assert.Equal(404, (int)sampler.StatusCode);
        Assert.Equal("Sampler not found", JsonNode.Parse(await sampler.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
        Assert.Empty(fake.Calls);
    }

    [Fact]
    public async Task Img2img_needs_an_init_image_and_a_mask_of_its_size_and_records_the_mask()
    {
        await using var fake = await FakeSdWebui.StartAsync();
        using var client = Client(fake);
        var init = Png(new RgbaImage(16, 16));
        var wrongSize = Png(Opaque(8, 8));
        var mask = Opaque(16, 16);
        mask.Pixels[0] = 255;

        var none = await client.PostAsync("sdapi/v1/img2img", Json("""{"prompt":"x","width":16,"height":16}"""));
        var wrong = await client.PostAsync("sdapi/v1/img2img", Json($$"""{"init_images":["{{init}}"],"mask":"{{wrongSize}}","width":16,"height":16}"""));
        var right = await client.PostAsync("sdapi/v1/img2img", Json($$"""{"init_images":["{{init}}"],"mask":"{{Png(mask)}}","width":16,"height":16,"inpainting_fill":1}"""));

        Assert.Equal((404, 422, 200), ((int)none.StatusCode, (int)wrong.StatusCode, (int)right.StatusCode));
        var call = Assert.Single(fake.Calls);
        Assert.Equal(((byte)255, (byte)0, (int?)1), (call.Mask!.Pixels[0], call.Mask.Pixels[4], call.InpaintingFill));
        var parameters = JsonNode.Parse(await right.Content.ReadAsStringAsync())!["parameters"]!;
        Assert.Null(parameters["init_images"]);
    }

    private static RgbaImage Opaque(int width, int height)
    {
        var image = new RgbaImage(width, height);
        for (var i = 3; i < image.Pixels.Length; i += 4)
        {
            image.Pixels[i] = 255;
        }
        return image;
    }
}
