using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Easel.Imaging;
using Easel.Testing.UpstreamFakes;

namespace Easel.Server.Tests.Upstream;

/// <summary>The fake ComfyUI itself: it must speak server.py's API and fail as ComfyUI does, or the engine's tests prove nothing.</summary>
public sealed class FakeComfyUiTests
{
    private static JsonObject Txt2Img(string prompt = "a lighthouse", long seed = 42, int batch = 2)
    {
        var graph = JsonNode.Parse(File.ReadAllText(Path.Combine(ComfyWorkflowTests.Samples, "txt2img.json")))!.AsObject();
        graph["2"]!["inputs"]!["text"] = prompt;
        graph["3"]!["inputs"]!["text"] = "blurry";
        graph["4"]!["inputs"]!["width"] = 64;
        graph["4"]!["inputs"]!["height"] = 32;
        graph["4"]!["inputs"]!["batch_size"] = batch;
        graph["5"]!["inputs"]!["seed"] = seed;
        return graph;
    }

    private static async Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(HttpClient http, string path, JsonObject body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.StartsWith('{') ? JsonNode.Parse(text)!.AsObject() : []);
    }

    private static async Task<JsonObject> HistoryAsync(HttpClient http, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var history = (await http.GetFromJsonAsync<JsonObject>($"/history/{id}"))!;
            if (history[id] is JsonObject entry)
            {
                return entry;
            }
            Assert.True(DateTime.UtcNow < deadline, "the prompt did not finish");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task A_prompt_runs_and_its_images_are_painted_from_the_graphs_prompt_and_seed_and_served_by_view()
    {
        await using var fake = await FakeComfyUi.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(fake.BaseUrl) };
        var id = Guid.NewGuid().ToString("D");

        var (status, answer) = await PostAsync(http, "/prompt", new JsonObject { ["prompt"] = Txt2Img(), ["client_id"] = "c1", ["prompt_id"] = id });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(id, answer["prompt_id"]!.GetValue<string>());
        Assert.Empty(answer["node_errors"]!.AsObject());
        var entry = await HistoryAsync(http, id);
        Assert.Equal("success", entry["status"]!["status_str"]!.GetValue<string>());
        Assert.Equal(id, entry["prompt"]![1]!.GetValue<string>());
        var images = entry["outputs"]!["7"]!["images"]!.AsArray();
        Assert.Equal(2, images.Count);
        for (var n = 0; n < 2; n++)
        {
            var bytes = await http.GetByteArrayAsync($"/api/view?filename={images[n]!["filename"]}&subfolder=&type=output");
            var image = ImageCodec.Decode(bytes);
            var (r, g, b) = FakeComfyUi.Colour("a lighthouse", 42, n);
            Assert.Equal((64, 32, r, g, b), (image.Width, image.Height, image.Pixels[0], image.Pixels[1], image.Pixels[2]));
        }
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/view?filename=nothing.png&type=output")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/view?filename=../secret.png")).StatusCode);
        Assert.Equal(0, (await http.GetFromJsonAsync<JsonObject>("/prompt"))!["exec_info"]!["queue_remaining"]!.GetValue<int>());
    }

    [Fact]
    public async Task Prompts_run_one_at_a_time_and_a_waiting_one_is_deleted_and_only_the_running_one_is_interrupted()
    {
        await using var fake = await FakeComfyUi.StartAsync();
        fake.Fault = ComfyUiFault.NeverFinish;
        using var http = new HttpClient { BaseAddress = new Uri(fake.BaseUrl) };
        var (first, second, third) = (Guid.NewGuid().ToString("D"), Guid.NewGuid().ToString("D"), Guid.NewGuid().ToString("D"));
        foreach (var id in new[] { first, second, third })
        {
            Assert.Equal(HttpStatusCode.OK, (await PostAsync(http, "/prompt", new JsonObject { ["prompt"] = Txt2Img(), ["prompt_id"] = id })).Status);
        }
        await UpstreamFront.WaitForAsync(() => fake.Prompts[0].State == "running");

        var queue = (await http.GetFromJsonAsync<JsonObject>("/queue"))!;
        Assert.Equal(first, Assert.Single(queue["queue_running"]!.AsArray())![1]!.GetValue<string>());
        Assert.Equal([second, third], queue["queue_pending"]!.AsArray().Select(i => i![1]!.GetValue<string>()));

        await PostAsync(http, "/queue", new JsonObject { ["delete"] = new JsonArray(third) });
        await PostAsync(http, "/interrupt", new JsonObject { ["prompt_id"] = second });
        Assert.Equal("running", fake.Prompts[0].State);
        await PostAsync(http, "/interrupt", new JsonObject { ["prompt_id"] = first });

        var entry = await HistoryAsync(http, first);
        Assert.Equal("error", entry["status"]!["status_str"]!.GetValue<string>());
        Assert.Contains(entry["status"]!["messages"]!.AsArray(), m => m![0]!.GetValue<string>() == "execution_interrupted");
        await UpstreamFront.WaitForAsync(() => fake.Prompts[1].State == "running");
        Assert.Equal("deleted", fake.Prompts[2].State);
        Assert.Equal([second, first], fake.Interrupts);
        Assert.Equal([third], fake.Deleted);
        // A global interrupt (no body) stops whatever runs.
        using (var empty = new StringContent(""))
        {
            await http.PostAsync("/interrupt", empty);
        }
        Assert.Equal("error", (await HistoryAsync(http, second))["status"]!["status_str"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invalid_graphs_are_refused_with_node_errors_in_comfyuis_shape()
    {
        await using var fake = await FakeComfyUi.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(fake.BaseUrl) };

        var (status, body) = await PostAsync(http, "/prompt", new JsonObject());
        Assert.Equal((HttpStatusCode.BadRequest, "no_prompt"), (status, body["error"]!["type"]!.GetValue<string>()));

        (status, body) = await PostAsync(http, "/prompt", new JsonObject { ["prompt"] = Txt2Img(), ["prompt_id"] = "not-a-uuid" });
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_prompt_id"), (status, body["error"]!["type"]!.GetValue<string>()));

        var unknown = Txt2Img();
        unknown["8"] = new JsonObject { ["class_type"] = "FancyUpscaler", ["inputs"] = new JsonObject() };
        (_, body) = await PostAsync(http, "/prompt", new JsonObject { ["prompt"] = unknown });
        Assert.Equal("missing_node_type", body["error"]!["type"]!.GetValue<string>());

        var broken = Txt2Img();
        broken["5"]!["inputs"]!.AsObject().Remove("steps");
        broken["5"]!["inputs"]!["seed"] = "{{easel:seed}}";
        broken["5"]!["inputs"]!["sampler_name"] = "heun++";
        broken["6"]!["inputs"]!["vae"] = new JsonArray("1", 7);
        broken["1"]!["inputs"]!["ckpt_name"] = "missing.safetensors";
        (status, body) = await PostAsync(http, "/prompt", new JsonObject { ["prompt"] = broken });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("prompt_outputs_failed_validation", body["error"]!["type"]!.GetValue<string>());
        var errors = body["node_errors"]!.AsObject();
        Assert.Equal(["invalid_input_type", "required_input_missing", "value_not_in_list"],
            errors["5"]!["errors"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal("KSampler", errors["5"]!["class_type"]!.GetValue<string>());
        Assert.Equal(["7"], errors["5"]!["dependent_outputs"]!.AsArray().Select(o => o!.GetValue<string>()));
        Assert.Equal("exception_during_inner_validation", errors["6"]!["errors"]![0]!["type"]!.GetValue<string>());
        Assert.Equal("ckpt_name: 'missing.safetensors' not in ['sd_xl_base_1.0.safetensors', 'sd-v1-5-inpainting.safetensors']",
            errors["1"]!["errors"]![0]!["details"]!.GetValue<string>());
        Assert.Empty(fake.Prompts);
    }

    [Fact]
    public async Task Uploads_are_stored_kept_apart_without_overwrite_and_a_load_image_of_a_missing_file_is_refused()
    {
        await using var fake = await FakeComfyUi.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(fake.BaseUrl) };
        async Task<JsonObject> UploadAsync(byte[] png, bool overwrite)
        {
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(png);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(file, "image", "src.png");
            form.Add(new StringContent("input"), "type");
            if (overwrite)
            {
                form.Add(new StringContent("true"), "overwrite");
            }
            using var response = await http.PostAsync("/upload/image", form);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        }
        var (a, b) = (FakeComfyUi.Paint("a", 1, 0, 8, 8), FakeComfyUi.Paint("b", 1, 0, 8, 8));

        Assert.Equal("src.png", (await UploadAsync(a, overwrite: false))["name"]!.GetValue<string>());
        Assert.Equal("src.png", (await UploadAsync(a, overwrite: false))["name"]!.GetValue<string>());
        Assert.Equal("src (1).png", (await UploadAsync(b, overwrite: false))["name"]!.GetValue<string>());
        Assert.Equal("src.png", (await UploadAsync(b, overwrite: true))["name"]!.GetValue<string>());
        Assert.Equal(b, fake.Inputs["src.png"]);
        using (var empty = new MultipartFormDataContent { { new StringContent("input"), "type" } })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/upload/image", empty)).StatusCode);
        }

        var graph = JsonNode.Parse(File.ReadAllText(Path.Combine(ComfyWorkflowTests.Samples, "inpaint.json")))!.AsObject();
        graph["2"]!["inputs"]!["image"] = "never-uploaded.png";
        var (status, body) = await PostAsync(http, "/prompt", new JsonObject { ["prompt"] = graph });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("image - Invalid image file: never-uploaded.png", body["node_errors"]!["2"]!["errors"]![0]!["details"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(ComfyUiFault.ExecutionError)]
    [InlineData(ComfyUiFault.MissingFiles)]
    [InlineData(ComfyUiFault.OutputsNotImages)]
    public async Task Faults_show_in_history_and_view_as_comfyui_shows_them(ComfyUiFault fault)
    {
        await using var fake = await FakeComfyUi.StartAsync();
        fake.Fault = fault;
        using var http = new HttpClient { BaseAddress = new Uri(fake.BaseUrl) };
        var id = Guid.NewGuid().ToString("D");
        await PostAsync(http, "/prompt", new JsonObject { ["prompt"] = Txt2Img(), ["prompt_id"] = id });

        var entry = await HistoryAsync(http, id);

        if (fault == ComfyUiFault.ExecutionError)
        {
            Assert.Equal("error", entry["status"]!["status_str"]!.GetValue<string>());
            var error = entry["status"]!["messages"]!.AsArray().Single(m => m![0]!.GetValue<string>() == "execution_error")![1]!;
            Assert.Equal(("KSampler", "torch.OutOfMemoryError"), (error["node_type"]!.GetValue<string>(), error["exception_type"]!.GetValue<string>()));
            return;
        }
        var file = entry["outputs"]!["7"]!["images"]![0]!["filename"]!.GetValue<string>();
        using var response = await http.GetAsync($"/view?filename={file}&type=output");
        if (fault == ComfyUiFault.MissingFiles)
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        else
        {
            Assert.Equal("<html>not an image</html>", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_server_in_trouble_answers_500_and_a_proxy_token_is_required_when_set()
    {
        await using var fake = await FakeComfyUi.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(fake.BaseUrl) };
        fake.RequiredToken = FakeComfyUi.Token;

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/queue")).StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", FakeComfyUi.Token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/queue")).StatusCode);

        fake.Fault = ComfyUiFault.ServerError;
        Assert.Equal(HttpStatusCode.InternalServerError, (await PostAsync(http, "/prompt", new JsonObject { ["prompt"] = Txt2Img() })).Status);
        Assert.Empty(fake.Prompts);
    }
}
