using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Easel.Imaging;
using Easel.Testing.UpstreamFakes;

namespace Easel.Server.Tests.Upstream;

/// <summary>The fake OpenAI Images server itself, called directly: it must refuse what the API refuses, or the adapter's tests prove nothing.</summary>
public sealed class FakeOpenAiImagesTests
{
    private static HttpClient Client(FakeOpenAiImages fake, string key = FakeOpenAiImages.Key)
    {
        var client = new HttpClient { BaseAddress = new Uri(fake.BaseUrl + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    [Fact]
    public async Task A_wrong_key_is_refused_with_the_error_shape()
    {
        await using var fake = await FakeOpenAiImages.StartAsync();
        using var client = Client(fake, "sk-wrong");

        var response = await client.PostAsync("v1/images/generations", new StringContent("""{"model":"gpt-image-1","prompt":"x"}"""));
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("invalid_api_key", error["code"]!.GetValue<string>());
        Assert.NotNull(error["message"]);
        Assert.Empty(fake.Calls);
    }

    [Fact]
    public async Task Generations_answer_base64_images_of_the_size_in_the_prompts_colour_with_usage()
    {
        await using var fake = await FakeOpenAiImages.StartAsync();
        using var client = Client(fake);

        var response = await client.PostAsync("v1/images/generations", new StringContent("""{"model":"gpt-image-1","prompt":"a cat","n":2,"size":"32x16"}"""));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(200, (int)response.StatusCode);
        var data = body["data"]!.AsArray();
        Assert.Equal(2, data.Count);
        var second = ImageCodec.Decode(Convert.FromBase64String(data[1]!["b64_json"]!.GetValue<string>()));
        Assert.Equal((32, 16), (second.Width, second.Height));
        var (r, g, b) = FakeGateway.ColourOf("a cat", 1);
        Assert.Equal([r, g, b, 255], second.Pixels[..4]);
        Assert.Equal(2050, body["usage"]!["total_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_gpt_image_model_refuses_response_format_and_dall_e_3_refuses_more_than_one_image()
    {
        await using var fake = await FakeOpenAiImages.StartAsync();
        using var client = Client(fake);

        var format = await client.PostAsync("v1/images/generations", new StringContent("""{"model":"gpt-image-1","prompt":"x","response_format":"b64_json"}"""));
        var many = await client.PostAsync("v1/images/generations", new StringContent("""{"model":"dall-e-3","prompt":"x","n":4}"""));

        Assert.Equal(400, (int)format.StatusCode);
        Assert.Equal(400, (int)many.StatusCode);
    }

    [Theory]
    [InlineData(8, true)]
    [InlineData(16, false)]
    public async Task An_edit_is_refused_unless_its_mask_is_a_png_of_the_images_size_with_transparent_pixels(int maskSide, bool transparent)
    {
        await using var fake = await FakeOpenAiImages.StartAsync();
        using var client = Client(fake);
        var image = FakeOpenAiImages.Paint("source", 0, 16, 16);
        // A new image is all zero, so fully transparent; a painted one is opaque, leaving nothing to edit.
        var mask = transparent ? ImageCodec.EncodePng(new RgbaImage(maskSide, maskSide)) : FakeOpenAiImages.Paint("mask", 0, maskSide, maskSide);
        using var form = new MultipartFormDataContent
        {
            { new StringContent("gpt-image-1"), "model" },
            { new StringContent("a vase"), "prompt" },
            { new StringContent("16x16"), "size" },
            { new ByteArrayContent(image), "image[]", "image.png" },
            { new ByteArrayContent(mask), "mask", "mask.png" },
        };

        var response = await client.PostAsync("v1/images/edits", form);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("mask", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_edit_with_a_fitting_mask_is_answered_and_recorded()
    {
        await using var fake = await FakeOpenAiImages.StartAsync();
        using var client = Client(fake);
        using var form = new MultipartFormDataContent
        {
            { new StringContent("gpt-image-1"), "model" },
            { new StringContent("a vase"), "prompt" },
            { new StringContent("16x16"), "size" },
            { new ByteArrayContent(FakeOpenAiImages.Paint("source", 0, 16, 16)), "image[]", "image.png" },
            { new ByteArrayContent(ImageCodec.EncodePng(new RgbaImage(16, 16))), "mask", "mask.png" },
        };

        var response = await client.PostAsync("v1/images/edits", form);

        Assert.Equal(200, (int)response.StatusCode);
        var call = Assert.Single(fake.Calls);
        Assert.Equal(("edits", "a vase", 16), (call.Route, call.Prompt, call.Mask!.Width));
    }
}
