using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Easel.Imaging;
using Easel.Testing.UpstreamFakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using static Easel.Server.Tests.Upstream.UpstreamFront;

namespace Easel.Server.Tests.Upstream;

/// <summary>The fake cog server speaks cog's API as docs/UPSTREAM-COG.md gives it, so the engine's tests test something real.</summary>
public sealed class FakeCogTests
{
    [Fact]
    public async Task An_async_put_answers_202_starting_and_the_completed_webhook_carries_the_painted_outputs()
    {
        await using var fake = await FakeCog.StartAsync();
        await using var hook = await Receiver.StartAsync();
        using var client = new HttpClient();

        var (status, answer) = await PutAsync(client, fake, "p1", """{"prompt": "a fox", "seed": 7, "num_outputs": 2, "width": 16, "height": 8}""", hook.Url);

        Assert.Equal((202, "p1", "starting"), (status, answer["id"]!.GetValue<string>(), answer["status"]!.GetValue<string>()));
        await WaitForAsync(() => hook.Bodies.Count == 1);
        var delivered = Assert.Single(hook.Bodies);
        Assert.Equal(("p1", "succeeded"), (delivered["id"]!.GetValue<string>(), delivered["status"]!.GetValue<string>()));
        var outputs = delivered["output"]!.AsArray().Select(o => o!.GetValue<string>()).ToList();
        Assert.Equal(2, outputs.Count);
        for (var n = 0; n < 2; n++)
        {
            var image = ImageCodec.Decode(Convert.FromBase64String(outputs[n]["data:image/png;base64,".Length..]));
            var (r, g, b) = FakeCog.Colour("a fox", 7 + n);
            Assert.Equal((16, 8, r, g, b), (image.Width, image.Height, image.Pixels[0], image.Pixels[1], image.Pixels[2]));
        }
    }

    [Fact]
    public async Task The_same_id_while_running_is_the_running_prediction_and_after_it_finished_a_new_one()
    {
        await using var fake = await FakeCog.StartAsync();
        fake.WorkTime = TimeSpan.FromMilliseconds(500);
        using var client = new HttpClient();

        await PutAsync(client, fake, "same", """{"prompt": "x"}""");
        var (status, again) = await PutAsync(client, fake, "same", """{"prompt": "x"}""");

        Assert.Equal((202, "same"), (status, again["id"]!.GetValue<string>()));
        Assert.Equal("x", again["input"]!["prompt"]!.GetValue<string>());
        Assert.Single(fake.Predictions);
        await WaitForAsync(() => fake.Predictions[0].Status == "succeeded");
        await PutAsync(client, fake, "same", """{"prompt": "x"}""");
        Assert.Equal(2, fake.Predictions.Count);
    }

    [Fact]
    public async Task With_its_one_slot_busy_another_id_is_409_at_capacity()
    {
        await using var fake = await FakeCog.StartAsync();
        fake.Behaviour = CogBehaviour.Hold;
        using var client = new HttpClient();
        await PutAsync(client, fake, "a", """{"prompt": "x"}""");

        var (status, busy) = await PutAsync(client, fake, "b", """{"prompt": "x"}""");

        Assert.Equal(409, status);
        Assert.Equal("At capacity - all prediction slots busy", busy["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invalid_input_is_422_in_cogs_shape_and_unknown_inputs_are_dropped()
    {
        await using var fake = await FakeCog.StartAsync();
        using var client = new HttpClient();

        var (status, invalid) = await PutAsync(client, fake, "v", """{"seed": "seven"}""");
        var (accepted, _) = await PutAsync(client, fake, "w", """{"prompt": "x", "guidance": 3}""");

        Assert.Equal(422, status);
        var problems = invalid["detail"]!.AsArray().Select(p => string.Join('.', p!["loc"]!.AsArray().Select(l => l!.GetValue<string>()))).ToList();
        Assert.Equal(["body.input.prompt", "body.input.seed"], problems);
        Assert.Equal(202, accepted);
        Assert.False(Assert.Single(fake.Predictions).Input.ContainsKey("guidance"));
    }

    [Fact]
    public async Task Cancel_is_200_for_a_running_prediction_whose_webhook_then_says_canceled_and_404_for_an_unknown_one()
    {
        await using var fake = await FakeCog.StartAsync();
        fake.Behaviour = CogBehaviour.Hold;
        await using var hook = await Receiver.StartAsync();
        using var client = new HttpClient();
        await PutAsync(client, fake, "c", """{"prompt": "x"}""", hook.Url);

        using var cancelled = await client.PostAsync($"{fake.BaseUrl}/predictions/c/cancel", null);
        using var unknown = await client.PostAsync($"{fake.BaseUrl}/predictions/nobody/cancel", null);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.NotFound), (cancelled.StatusCode, unknown.StatusCode));
        await WaitForAsync(() => hook.Bodies.Count == 1);
        Assert.Equal("canceled", hook.Bodies.Single()["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_terminal_webhook_is_retried_on_503_and_given_up_on_400()
    {
        await using var fake = await FakeCog.StartAsync();
        fake.RetryBase = TimeSpan.FromMilliseconds(5);
        await using var hook = await Receiver.StartAsync();
        using var client = new HttpClient();

        hook.Answers.Enqueue(503);
        hook.Answers.Enqueue(503);
        await PutAsync(client, fake, "r1", """{"prompt": "x"}""", hook.Url);
        await WaitForAsync(() => fake.Deliveries.Count == 3);
        Assert.Equal([503, 503, 204], fake.Deliveries.Select(d => d.Status));

        hook.Answers.Enqueue(400);
        await PutAsync(client, fake, "r2", """{"prompt": "x"}""", hook.Url);
        await WaitForAsync(() => fake.Deliveries.Count == 4);
        await Task.Delay(200);
        Assert.Equal(400, fake.Deliveries[^1].Status);
        Assert.Equal(4, fake.Deliveries.Count);
    }

    [Fact]
    public async Task An_inpainting_model_requires_prompt_image_and_mask_and_repaints_where_the_mask_is_white()
    {
        await using var fake = await FakeCog.StartAsync();
        fake.Model = CogModel.Inpainting;
        await using var hook = await Receiver.StartAsync();
        using var client = new HttpClient();
        var image = Solid(8, 4, (10, 20, 30));
        var mask = new RgbaImage(8, 4);
        for (var i = 0; i < mask.Pixels.Length; i += 4)
        {
            // The right half white (repaint), the left black (keep).
            var white = (i / 4 % 8) >= 4 ? (byte)255 : (byte)0;
            (mask.Pixels[i], mask.Pixels[i + 1], mask.Pixels[i + 2], mask.Pixels[i + 3]) = (white, white, white, 255);
        }

        var (missing, invalid) = await PutAsync(client, fake, "i0", """{"prompt": "a door"}""");
        var (status, _) = await PutAsync(client, fake, "i1",
            new JsonObject { ["prompt"] = "a door", ["seed"] = 3, ["num_outputs"] = 2, ["image"] = DataUrl(image), ["mask"] = DataUrl(mask) }.ToJsonString(), hook.Url);

        Assert.Equal(422, missing);
        Assert.Equal(["body.input.image", "body.input.mask"], invalid["detail"]!.AsArray().Select(p => string.Join('.', p!["loc"]!.AsArray().Select(l => l!.GetValue<string>()))));
        Assert.Equal(202, status);
        await WaitForAsync(() => hook.Bodies.Count == 1);
        var outputs = hook.Bodies[0]["output"]!.AsArray().Select(o => Decode(o!.GetValue<string>())).ToList();
        Assert.Equal(2, outputs.Count);
        for (var n = 0; n < 2; n++)
        {
            var (r, g, b) = FakeCog.Colour("a door", 3 + n);
            Assert.Equal((8, 4), (outputs[n].Width, outputs[n].Height));
            Assert.Equal([10, 20, 30, 255], outputs[n].Pixels[..4]);
            Assert.Equal([r, g, b, 255], outputs[n].Pixels[(7 * 4)..(8 * 4)]);
        }
    }

    [Theory]
    [InlineData("of another size")]
    [InlineData("not base64")]
    [InlineData("not an image")]
    public async Task A_mask_of_another_size_or_a_data_url_that_does_not_decode_fails_the_prediction(string fault)
    {
        await using var fake = await FakeCog.StartAsync();
        fake.Model = CogModel.Inpainting;
        await using var hook = await Receiver.StartAsync();
        using var client = new HttpClient();
        var mask = fault switch
        {
            "of another size" => DataUrl(Solid(4, 4, (255, 255, 255))),
            "not base64" => "data:image/png;base64,%%%",
            _ => "data:image/png;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes("not a png")),
        };

        var (status, _) = await PutAsync(client, fake, "m",
            new JsonObject { ["prompt"] = "x", ["image"] = DataUrl(Solid(8, 4, (1, 2, 3))), ["mask"] = mask }.ToJsonString(), hook.Url);

        Assert.Equal(202, status);
        await WaitForAsync(() => hook.Bodies.Count == 1);
        Assert.Equal("failed", hook.Bodies[0]["status"]!.GetValue<string>());
        Assert.Contains(fault == "of another size" ? "the mask is 4x4 but the image is 8x4" : "could not download the input",
            hook.Bodies[0]["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Background_removal_takes_the_image_alone_and_returns_one_file_whose_background_is_transparent()
    {
        await using var fake = await FakeCog.StartAsync();
        fake.Model = CogModel.RemoveBackground;
        await using var hook = await Receiver.StartAsync();
        using var client = new HttpClient();
        var image = Solid(6, 6, (200, 200, 200));
        (image.Pixels[((3 * 6) + 3) * 4], image.Pixels[(((3 * 6) + 3) * 4) + 1]) = (0, 90);

        var (missing, _) = await PutAsync(client, fake, "b0", """{"prompt": "x"}""");
        var (status, _) = await PutAsync(client, fake, "b1", new JsonObject { ["image"] = DataUrl(image), ["prompt"] = "dropped" }.ToJsonString(), hook.Url);

        Assert.Equal((422, 202), (missing, status));
        Assert.False(fake.Predictions[0].Input.ContainsKey("prompt"));
        await WaitForAsync(() => hook.Bodies.Count == 1);
        var output = hook.Bodies[0]["output"]!;
        Assert.Equal(System.Text.Json.JsonValueKind.String, output.GetValueKind());
        var cut = Decode(output.GetValue<string>());
        Assert.Equal((0, 255), (cut.Pixels[3], cut.Pixels[(((3 * 6) + 3) * 4) + 3]));
        Assert.Equal(90, cut.Pixels[(((3 * 6) + 3) * 4) + 1]);
    }

    [Fact]
    public async Task An_image_to_image_model_needs_an_image_but_no_prompt()
    {
        await using var fake = await FakeCog.StartAsync();
        fake.Model = CogModel.ImageToImage;
        await using var hook = await Receiver.StartAsync();
        using var client = new HttpClient();

        var (missing, invalid) = await PutAsync(client, fake, "e0", """{"prompt": "x"}""");
        var (status, _) = await PutAsync(client, fake, "e1", new JsonObject { ["image"] = DataUrl(Solid(5, 3, (9, 9, 9))), ["seed"] = 4 }.ToJsonString(), hook.Url);

        Assert.Equal((422, "body.input.image", 202), (missing, string.Join('.', invalid["detail"]![0]!["loc"]!.AsArray().Select(l => l!.GetValue<string>())), status));
        await WaitForAsync(() => hook.Bodies.Count == 1);
        var output = Decode(Assert.Single(hook.Bodies[0]["output"]!.AsArray())!.GetValue<string>());
        var (r, g, b) = FakeCog.Colour("", 4);
        Assert.Equal((5, 3, r, g, b), (output.Width, output.Height, output.Pixels[0], output.Pixels[1], output.Pixels[2]));
    }

    private static RgbaImage Solid(int width, int height, (byte R, byte G, byte B) colour)
    {
        var image = new RgbaImage(width, height);
        for (var i = 0; i < image.Pixels.Length; i += 4)
        {
            (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2], image.Pixels[i + 3]) = (colour.R, colour.G, colour.B, 255);
        }
        return image;
    }

    private static string DataUrl(RgbaImage image) => "data:image/png;base64," + Convert.ToBase64String(ImageCodec.EncodePng(image, 1));

    private static RgbaImage Decode(string dataUrl) => ImageCodec.Decode(Convert.FromBase64String(dataUrl[(dataUrl.IndexOf(',', StringComparison.Ordinal) + 1)..]));

    private static async Task<(int Status, JsonObject Body)> PutAsync(HttpClient client, FakeCog fake, string id, string input, string? webhook = null)
    {
        var body = new JsonObject { ["input"] = JsonNode.Parse(input), ["webhook_events_filter"] = new JsonArray("completed") };
        if (webhook is not null)
        {
            body["webhook"] = webhook;
        }
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{fake.BaseUrl}/predictions/{id}")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Prefer", "respond-async");
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    /// <summary>A webhook receiver that answers each request with the next of <see cref="Answers"/> (204 when none is left).</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private Receiver(WebApplication app) => _app = app;

        public string Url { get; private set; } = "";

        public ConcurrentQueue<int> Answers { get; } = new();

        public ConcurrentQueue<JsonObject> Received { get; } = new();

        public List<JsonObject> Bodies => Received.ToList();

        public static async Task<Receiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.MapPost("/hook", async (HttpContext http) =>
            {
                var status = receiver.Answers.TryDequeue(out var s) ? s : 204;
                if (status == 204)
                {
                    receiver.Received.Enqueue((await JsonNode.ParseAsync(http.Request.Body))!.AsObject());
                }
                http.Response.StatusCode = status;
            });
            await app.StartAsync();
            receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/hook";
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
