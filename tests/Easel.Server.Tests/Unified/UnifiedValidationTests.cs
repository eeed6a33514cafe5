using System.Text.Json;
using System.Text.Json.Nodes;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Unified;

/// <summary>
/// The unified dialect's request errors (API.md sections 3 and 6): every rule of every model refuses a bad body
/// with HTTP 400, code "invalid_request", type "invalid_request_error" and the exact `param`; then the 401, 404,
/// 409 and 413 rows of the error table, and the task object a successful create answers.
/// </summary>
public sealed class UnifiedValidationTests(ValidationHost shared) : IClassFixture<ValidationHost>
{
    private const string Create = "/v1/images/generations";
    private const string UploadPaint = "mj-v7-upload-paint";
    private const string EditModel = "mj-v7-edit";
    private const string Inpaint = "mj-v7-inpaint";
    private const string Remix = "mj-v7-remix";
    private const string UnknownTask = "task-unified-1700000000-nosuchtask";
    private const string LoneSurrogate = "\"\\ud800\"";

    private static readonly string[] SecondaryModels = [EditModel, Inpaint, Remix];

    private static JsonObject Base(string model) => JsonNode.Parse((model switch
    {
        UploadPaint => """
            {"model": "mj-v7-upload-paint", "prompt": "a quiet harbour", "image_urls": ["https://images.example.com/a.png"],
             "model_params": {"canvas": {"width": 128, "height": 128}, "img_pos": {"width": 64, "height": 64, "x": 32, "y": 32},
                              "mask": {"areas": [{"width": 100, "height": 100, "points": [30, 30, 30, 45, 45, 45, 45, 30]}]}}}
            """,
        EditModel => """
            {"model": "mj-v7-edit", "prompt": "a quiet harbour",
             "model_params": {"task_id": "__task__", "image_number": 0,
                              "canvas": {"width": 128, "height": 128}, "img_pos": {"width": 64, "height": 64, "x": 32, "y": 32}}}
            """,
        Inpaint => """
            {"model": "mj-v7-inpaint",
             "model_params": {"task_id": "__task__", "image_number": 0,
                              "mask": {"areas": [{"width": 500, "height": 500, "points": [100, 100, 100, 300, 300, 300, 300, 100]}]}}}
            """,
        Remix => """
            {"model": "mj-v7-remix", "prompt": "a quiet harbour",
             "model_params": {"task_id": "__task__", "image_number": 0, "mode": "strong"}}
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(model)),
    }).Replace("__task__", UnknownTask, StringComparison.Ordinal))!.AsObject();

    private static string Body(string model, Action<JsonObject> change)
    {
        var body = Base(model);
        change(body);
        return body.ToJsonString();
    }

    private static JsonArray Points(params int[] values) => new(values.Select(v => (JsonNode)v).ToArray());

    /// <summary>(why, expected param, body).</summary>
    public static TheoryData<string, string, string> Refusals()
    {
        var data = new TheoryData<string, string, string>();
        void Add(string model, string param, string why, Action<JsonObject> change) => data.Add($"{model}: {why}", param, Body(model, change));
        void AddRaw(string model, string param, string why, string path, string raw) =>
            data.Add($"{model}: {why}", param, TestBodies.WithRaw(Body(model, _ => { }), path, raw));
        void Set(JsonObject b, string path, JsonNode? value) => TestBodies.Set(b, path, value);
        void Remove(JsonObject b, string path) => TestBodies.Remove(b, path);
        const string Canvas = "model_params.canvas";
        const string Position = "model_params.img_pos";
        const string Mask = "model_params.mask";
        const string Points0 = "model_params.mask.areas[0].points";
        const string Callback = "callback_url";
        const string Http = "http://hooks.example.com/cb";

        // ---- model and model_params, for every model ----
        foreach (var model in new[] { UploadPaint, EditModel, Inpaint, Remix })
        {
            Add(model, "model", "model absent", b => Remove(b, "model"));
            Add(model, "model", "model null", b => Set(b, "model", null));
            Add(model, "model", "model unknown (mj-v6: mj-v7 itself is imagine, section 9)", b => Set(b, "model", "mj-v6"));
            Add(model, "model", "model a classic name", b => Set(b, "model", "midjourney_edit"));
            Add(model, "model", "model in the wrong case", b => Set(b, "model", model.ToUpperInvariant()));
            Add(model, "model", "model empty", b => Set(b, "model", ""));
            Add(model, "model", "model a number", b => Set(b, "model", 7));
            Add(model, "model_params", "model_params a string", b => Set(b, "model_params", "x"));
            Add(model, "model_params", "model_params an array", b => Set(b, "model_params", new JsonArray()));
            Add(model, Callback, "callback_url http (https only)", b => Set(b, Callback, Http));
            Add(model, "model_params.speed", "speed slow", b => Set(b, "model_params.speed", "slow"));
        }

        // ---- mj-v7-upload-paint: image_urls, canvas, img_pos, mask, prompt, callback_url, speed ----
        const string U = UploadPaint;
        Add(U, "image_urls", "image_urls absent", b => Remove(b, "image_urls"));
        Add(U, "image_urls", "image_urls null", b => Set(b, "image_urls", null));
        Add(U, "image_urls", "image_urls empty", b => Set(b, "image_urls", new JsonArray()));
        Add(U, "image_urls", "image_urls a string", b => Set(b, "image_urls", "https://images.example.com/a.png"));
        Add(U, "image_urls", "image_urls an object", b => Set(b, "image_urls", new JsonObject()));
        Add(U, "image_urls", "image_urls with two URLs", b => Set(b, "image_urls", new JsonArray("https://images.example.com/a.png", "https://images.example.com/b.png")));
        Add(U, "image_urls", "image_urls [null]", b => Set(b, "image_urls", new JsonArray((JsonNode?)null)));
        Add(U, "image_urls", "image_urls [5]", b => Set(b, "image_urls", new JsonArray(5)));
        Add(U, "image_urls", "image_urls [\"\"]", b => Set(b, "image_urls", new JsonArray("")));
        Add(U, "image_urls", "image_urls not a URL", b => Set(b, "image_urls", new JsonArray("not a url")));
        Add(U, "image_urls", "image_urls ftp", b => Set(b, "image_urls", new JsonArray("ftp://images.example.com/a.png")));
        Add(U, "image_urls", "image_urls of 2049 characters", b => Set(b, "image_urls", new JsonArray(TestBodies.UrlOfLength("https://images.example.com/", 2049))));
        Add(U, Canvas, "model_params absent (canvas is the first of its fields)", b => Remove(b, "model_params"));
        Add(U, Canvas, "model_params null", b => Set(b, "model_params", null));
        Add(U, Canvas, "canvas absent", b => Remove(b, Canvas));
        Add(U, Canvas, "canvas null", b => Set(b, Canvas, null));
        Add(U, Canvas, "canvas a string", b => Set(b, Canvas, "1024x1024"));
        Add(U, Canvas, "canvas an array", b => Set(b, Canvas, Points(128, 128)));
        Add(U, Canvas + ".width", "canvas width 0", b => Set(b, Canvas + ".width", 0));
        Add(U, Canvas + ".width", "canvas width 4097", b => Set(b, Canvas + ".width", 4097));
        Add(U, Canvas + ".width", "canvas width -1", b => Set(b, Canvas + ".width", -1));
        Add(U, Canvas + ".width", "canvas width 1.5", b => Set(b, Canvas + ".width", 1.5));
        Add(U, Canvas + ".width", "canvas width a string", b => Set(b, Canvas + ".width", "128"));
        Add(U, Canvas + ".width", "canvas width true", b => Set(b, Canvas + ".width", true));
        Add(U, Canvas + ".width", "canvas width null", b => Set(b, Canvas + ".width", null));
        Add(U, Canvas + ".width", "canvas width absent", b => Remove(b, Canvas + ".width"));
        AddRaw(U, Canvas + ".width", "canvas width 1e400", Canvas + ".width", "1e400");
        Add(U, Canvas + ".height", "canvas height 0", b => Set(b, Canvas + ".height", 0));
        Add(U, Canvas + ".height", "canvas height 4097", b => Set(b, Canvas + ".height", 4097));
        Add(U, Canvas + ".height", "canvas height absent", b => Remove(b, Canvas + ".height"));
        Add(U, Position, "img_pos absent", b => Remove(b, Position));
        Add(U, Position, "img_pos null", b => Set(b, Position, null));
        Add(U, Position, "img_pos a string", b => Set(b, Position, "32,32"));
        Add(U, Position, "img_pos right of the canvas", b => Set(b, Position + ".x", 128));
        Add(U, Position, "img_pos below the canvas", b => Set(b, Position + ".y", 128));
        Add(U, Position, "img_pos ending at the left edge", b => Set(b, Position + ".x", -64));
        Add(U, Position, "img_pos ending at the top edge", b => Set(b, Position + ".y", -64));
        Add(U, Position + ".width", "img_pos width 0", b => Set(b, Position + ".width", 0));
        Add(U, Position + ".width", "img_pos width 8193", b => Set(b, Position + ".width", 8193));
        Add(U, Position + ".width", "img_pos width 1.5", b => Set(b, Position + ".width", 1.5));
        Add(U, Position + ".height", "img_pos height 0", b => Set(b, Position + ".height", 0));
        Add(U, Position + ".x", "img_pos x a string", b => Set(b, Position + ".x", "32"));
        Add(U, Position + ".x", "img_pos x 1.5", b => Set(b, Position + ".x", 1.5));
        Add(U, Position + ".x", "img_pos x absent", b => Remove(b, Position + ".x"));
        Add(U, Position + ".y", "img_pos y absent", b => Remove(b, Position + ".y"));
        Add(U, Position + ".y", "img_pos y 1000001", b => Set(b, Position + ".y", 1_000_001));
        Add(U, Mask, "mask absent", b => Remove(b, Mask));
        Add(U, Mask, "mask null", b => Set(b, Mask, null));
        Add(U, Mask, "mask without areas or url", b => Set(b, Mask, new JsonObject()));
        Add(U, Mask, "mask with areas null", b => Set(b, Mask, new JsonObject { ["areas"] = null }));
        Add(U, Mask, "mask a string", b => Set(b, Mask, "x"));
        Add(U, Mask, "mask an array", b => Set(b, Mask, new JsonArray()));
        Add(U, Mask, "mask url ftp", b => Set(b, Mask, new JsonObject { ["url"] = "ftp://images.example.com/m.png" }));
        Add(U, Mask, "mask url a number", b => Set(b, Mask, new JsonObject { ["url"] = 5 }));
        Add(U, Mask, "mask url empty", b => Set(b, Mask, new JsonObject { ["url"] = "" }));
        Add(U, Mask + ".areas", "areas empty", b => Set(b, Mask + ".areas", new JsonArray()));
        Add(U, Mask + ".areas", "areas a string", b => Set(b, Mask + ".areas", "x"));
        Add(U, Mask + ".areas", "65 areas", b => Set(b, Mask + ".areas", new JsonArray(Enumerable.Range(0, 65)
            .Select(_ => (JsonNode)new JsonObject { ["width"] = 100, ["height"] = 100, ["points"] = Points(30, 30, 30, 45, 45, 45) }).ToArray())));
        Add(U, Mask + ".areas[0]", "area not an object", b => Set(b, Mask + ".areas", new JsonArray(5)));
        Add(U, Points0, "points with 5 values", b => Set(b, Points0, Points(30, 30, 30, 45, 45)));
        Add(U, Points0, "points with an odd count (7)", b => Set(b, Points0, Points(30, 30, 30, 45, 45, 45, 45)));
        Add(U, Points0, "points with two pairs", b => Set(b, Points0, Points(30, 30, 45, 45)));
        Add(U, Points0, "points not integers", b => Set(b, Points0 + "[2]", 30.5));
        Add(U, Points0, "points as strings", b => Set(b, Points0 + "[0]", "30"));
        Add(U, Points0, "points absent", b => Remove(b, Points0));
        Add(U, Points0, "points null", b => Set(b, Points0, null));
        Add(U, Points0, "a point beyond ±1000000", b => Set(b, Points0 + "[1]", -1_000_001));
        Add(U, Mask + ".areas[0].width", "area width 0", b => Set(b, Mask + ".areas[0].width", 0));
        Add(U, Mask + ".areas[0].width", "area width 8193", b => Set(b, Mask + ".areas[0].width", 8193));
        Add(U, Mask + ".areas[0].width", "area width absent", b => Remove(b, Mask + ".areas[0].width"));
        Add(U, Mask + ".areas[0].height", "area height 0", b => Set(b, Mask + ".areas[0].height", 0));
        Add(U, "model_params.mask.areas[1].points", "the second area's points with 5 values", b => ((JsonArray)b["model_params"]!["mask"]!["areas"]!)
            .Add(new JsonObject { ["width"] = 100, ["height"] = 100, ["points"] = Points(1, 1, 1, 9, 9) }));
        Add(U, "prompt", "prompt absent", b => Remove(b, "prompt"));
        Add(U, "prompt", "prompt null", b => Set(b, "prompt", null));
        Add(U, "prompt", "prompt empty", b => Set(b, "prompt", ""));
        Add(U, "prompt", "prompt of 8193 characters", b => Set(b, "prompt", TestBodies.Repeat("a", 8193)));
        Add(U, "prompt", "prompt of 8193 emoji", b => Set(b, "prompt", TestBodies.Repeat("\U0001F600", 8193)));
        Add(U, "prompt", "prompt a number", b => Set(b, "prompt", 5));
        Add(U, "prompt", "prompt an array", b => Set(b, "prompt", new JsonArray("a")));
        Add(U, "model_params.speed", "speed FAST", b => Set(b, "model_params.speed", "FAST"));
        Add(U, "model_params.speed", "speed a number", b => Set(b, "model_params.speed", 1));
        Add(U, Callback, "callback_url ftp", b => Set(b, Callback, "ftp://hooks.example.com/cb"));
        Add(U, Callback, "callback_url not a url", b => Set(b, Callback, "not a url"));
        Add(U, Callback, "callback_url a number", b => Set(b, Callback, 5));
        Add(U, Callback, "callback_url empty", b => Set(b, Callback, ""));
        Add(U, Callback, "callback_url of 2049 characters", b => Set(b, Callback, TestBodies.UrlOfLength("https://hooks.example.com/", 2049)));
        Add(U, Callback, "callback_url to 127.0.0.1", b => Set(b, Callback, "https://127.0.0.1/cb"));
        Add(U, Callback, "callback_url to 10.0.0.1", b => Set(b, Callback, "https://10.0.0.1/cb"));
        Add(U, Callback, "callback_url to 192.168.1.1", b => Set(b, Callback, "https://192.168.1.1/cb"));
        Add(U, Callback, "callback_url to 172.16.0.1", b => Set(b, Callback, "https://172.16.0.1/cb"));
        Add(U, Callback, "callback_url to [::1]", b => Set(b, Callback, "https://[::1]/cb"));
        Add(U, Callback, "callback_url to [::ffff:10.0.0.1]", b => Set(b, Callback, "https://[::ffff:10.0.0.1]/cb"));
        Add(U, Callback, "callback_url to the metadata address", b => Set(b, Callback, "https://169.254.169.254/latest"));
        Add(U, Callback, "callback_url to localhost", b => Set(b, Callback, "https://localhost/cb"));
        Add(U, Callback, "callback_url to 0x7f000001", b => Set(b, Callback, "https://0x7f000001/cb"));
        // Values at their limits pass their own rule: the http callback, checked last but speed, decides.
        Add(U, Callback, "an image URL of 2048 characters passes", b => { Set(b, "image_urls", new JsonArray(TestBodies.UrlOfLength("https://images.example.com/", 2048))); Set(b, Callback, Http); });
        Add(U, Callback, "canvas 4096 x 4096 passes", b => { Set(b, Canvas, new JsonObject { ["width"] = 4096, ["height"] = 4096 }); Set(b, Callback, Http); });
        Add(U, Callback, "img_pos overlapping by one pixel passes", b => { Set(b, Position + ".x", -63); Set(b, Position + ".y", 127); Set(b, Callback, Http); });
        Add(U, Callback, "points with 6 values pass", b => { Set(b, Points0, Points(30, 30, 30, 45, 45, 45)); Set(b, Callback, Http); });
        Add(U, Callback, "a mask url passes", b => { Set(b, Mask, new JsonObject { ["url"] = "https://images.example.com/m.png" }); Set(b, Callback, Http); });
        Add(U, Callback, "a prompt of 8192 characters passes", b => { Set(b, "prompt", TestBodies.Repeat("a", 8192)); Set(b, Callback, Http); });
        Add(U, Callback, "a prompt of 8192 emoji passes (characters, not UTF-16 units)", b => { Set(b, "prompt", TestBodies.Repeat("\U0001F600", 8192)); Set(b, Callback, Http); });
        Add(U, "model_params.speed", "an https callback_url of 2048 characters passes", b =>
        {
            Set(b, Callback, TestBodies.UrlOfLength("https://hooks.example.com/", 2048));
            Set(b, "model_params.speed", "slow");
        });
        Add(U, "model_params.speed", "a public https callback_url passes", b => { Set(b, Callback, "https://8.8.8.8/cb"); Set(b, "model_params.speed", "slow"); });
        Add(U, "image_urls", "image_urls and canvas both absent: the first rule decides", b => { Remove(b, "image_urls"); Remove(b, Canvas); });
        Add(U, Mask, "mask and prompt both absent", b => { Remove(b, Mask); Remove(b, "prompt"); });

        // ---- mj-v7-edit: task_id, image_number, prompt, canvas, img_pos, mask (optional), callback_url, speed ----
        const string E = EditModel;
        Add(E, "model_params.task_id", "model_params absent", b => Remove(b, "model_params"));
        Add(E, "model_params.task_id", "task_id absent", b => Remove(b, "model_params.task_id"));
        Add(E, "model_params.task_id", "task_id null", b => Set(b, "model_params.task_id", null));
        Add(E, "model_params.task_id", "task_id empty", b => Set(b, "model_params.task_id", ""));
        Add(E, "model_params.task_id", "task_id a number", b => Set(b, "model_params.task_id", 5));
        Add(E, "model_params.task_id", "task_id of 129 characters", b => Set(b, "model_params.task_id", new string('t', 129)));
        Add(E, "model_params.image_number", "image_number 4", b => Set(b, "model_params.image_number", 4));
        Add(E, "model_params.image_number", "image_number -1", b => Set(b, "model_params.image_number", -1));
        Add(E, "model_params.image_number", "image_number \"1\"", b => Set(b, "model_params.image_number", "1"));
        Add(E, "model_params.image_number", "image_number 1.5", b => Set(b, "model_params.image_number", 1.5));
        Add(E, "model_params.image_number", "image_number true", b => Set(b, "model_params.image_number", true));
        Add(E, "prompt", "prompt absent", b => Remove(b, "prompt"));
        Add(E, "prompt", "prompt empty", b => Set(b, "prompt", ""));
        Add(E, "prompt", "prompt of 8193 characters", b => Set(b, "prompt", TestBodies.Repeat("a", 8193)));
        Add(E, Canvas, "canvas absent", b => Remove(b, Canvas));
        Add(E, Canvas + ".width", "canvas width 4097", b => Set(b, Canvas + ".width", 4097));
        Add(E, Canvas + ".height", "canvas height 0", b => Set(b, Canvas + ".height", 0));
        Add(E, Position, "img_pos absent", b => Remove(b, Position));
        Add(E, Position, "img_pos not overlapping", b => Set(b, Position + ".x", 128));
        Add(E, Position + ".width", "img_pos width 0", b => Set(b, Position + ".width", 0));
        Add(E, Mask, "mask without areas or url", b => Set(b, Mask, new JsonObject()));
        Add(E, Points0, "mask points with 5 values", b => Set(b, Mask, new JsonObject
        {
            ["areas"] = new JsonArray(new JsonObject { ["width"] = 100, ["height"] = 100, ["points"] = Points(1, 1, 1, 9, 9) }),
        }));
        Add(E, Callback, "image_number absent passes (default 0)", b => { Remove(b, "model_params.image_number"); Set(b, Callback, Http); });
        Add(E, Callback, "image_number null passes", b => { Set(b, "model_params.image_number", null); Set(b, Callback, Http); });
        Add(E, Callback, "image_number 3 passes", b => { Set(b, "model_params.image_number", 3); Set(b, Callback, Http); });
        Add(E, Callback, "no mask passes (optional)", b => Set(b, Callback, Http));
        Add(E, "model_params.task_id", "task_id absent and image_number 9", b => { Remove(b, "model_params.task_id"); Set(b, "model_params.image_number", 9); });
        Add(E, "prompt", "prompt and canvas both absent", b => { Remove(b, "prompt"); Remove(b, Canvas); });

        // ---- mj-v7-inpaint: task_id, image_number, prompt (optional), mask, callback_url, speed ----
        const string I = Inpaint;
        Add(I, "model_params.task_id", "task_id absent", b => Remove(b, "model_params.task_id"));
        Add(I, "model_params.image_number", "image_number 4", b => Set(b, "model_params.image_number", 4));
        Add(I, "prompt", "prompt empty", b => Set(b, "prompt", ""));
        Add(I, "prompt", "prompt of 8193 characters", b => Set(b, "prompt", TestBodies.Repeat("a", 8193)));
        Add(I, "prompt", "prompt a number", b => Set(b, "prompt", 5));
        Add(I, Mask, "mask absent", b => Remove(b, Mask));
        Add(I, Mask, "mask null", b => Set(b, Mask, null));
        Add(I, Mask, "mask without areas or url", b => Set(b, Mask, new JsonObject()));
        Add(I, Mask + ".areas", "areas empty", b => Set(b, Mask + ".areas", new JsonArray()));
        Add(I, Mask + ".areas[0].width", "area width 499", b => Set(b, Mask + ".areas[0].width", 499));
        Add(I, Mask + ".areas[0].width", "area width 4097", b => Set(b, Mask + ".areas[0].width", 4097));
        Add(I, Mask + ".areas[0].height", "area height 499", b => Set(b, Mask + ".areas[0].height", 499));
        Add(I, Mask + ".areas[0].height", "area height 4097", b => Set(b, Mask + ".areas[0].height", 4097));
        Add(I, Points0, "points with 5 values", b => Set(b, Points0, Points(100, 100, 100, 300, 300)));
        Add(I, Points0, "points with an odd count", b => Set(b, Points0, Points(100, 100, 100, 300, 300, 300, 300)));
        Add(I, Points0, "points not integers", b => Set(b, Points0 + "[3]", 300.5));
        Add(I, Callback, "area 500 x 500 passes", b => Set(b, Callback, Http));
        Add(I, Callback, "area 4096 x 4096 passes", b => { Set(b, Mask + ".areas[0].width", 4096); Set(b, Mask + ".areas[0].height", 4096); Set(b, Callback, Http); });
        Add(I, Callback, "a prompt of 8192 characters passes", b => { Set(b, "prompt", TestBodies.Repeat("a", 8192)); Set(b, Callback, Http); });
        Add(I, Callback, "prompt null passes (optional)", b => { Set(b, "prompt", null); Set(b, Callback, Http); });
        Add(I, "prompt", "prompt empty and mask absent", b => { Set(b, "prompt", ""); Remove(b, Mask); });

        // ---- mj-v7-remix: task_id, image_number, mode, prompt, callback_url, speed ----
        const string R = Remix;
        Add(R, "model_params.task_id", "task_id absent", b => Remove(b, "model_params.task_id"));
        Add(R, "model_params.task_id", "task_id a number", b => Set(b, "model_params.task_id", 5));
        Add(R, "model_params.image_number", "image_number \"1\"", b => Set(b, "model_params.image_number", "1"));
        Add(R, "model_params.mode", "mode medium", b => Set(b, "model_params.mode", "medium"));
        Add(R, "model_params.mode", "mode 0 (the classic spelling)", b => Set(b, "model_params.mode", 0));
        Add(R, "model_params.mode", "mode 1", b => Set(b, "model_params.mode", 1));
        Add(R, "model_params.mode", "mode STRONG", b => Set(b, "model_params.mode", "STRONG"));
        Add(R, "model_params.mode", "mode true", b => Set(b, "model_params.mode", true));
        Add(R, "prompt", "prompt absent", b => Remove(b, "prompt"));
        Add(R, "prompt", "prompt null", b => Set(b, "prompt", null));
        Add(R, "prompt", "prompt of 8193 characters", b => Set(b, "prompt", TestBodies.Repeat("a", 8193)));
        Add(R, Callback, "mode subtle passes", b => { Set(b, "model_params.mode", "subtle"); Set(b, Callback, Http); });
        Add(R, Callback, "mode absent passes (default strong)", b => { Remove(b, "model_params.mode"); Set(b, Callback, Http); });
        Add(R, "model_params.mode", "mode medium and prompt absent: mode comes first", b => { Set(b, "model_params.mode", "medium"); Remove(b, "prompt"); });
        return data;
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_request_failing_validation_answers_400_invalid_request_naming_the_param(string why, string param, string body)
    {
        var (status, answer) = await shared.Client.PostJsonAsync(Create, body);
        AssertUnifiedError(400, "invalid_request", "invalid_request_error", param, status, answer, why);
    }

    [Theory]
    [InlineData("malformed JSON", """{"model": "mj-v7-remix", """)]
    [InlineData("an empty body", "")]
    [InlineData("a JSON array", """[{"model": "mj-v7-remix", "prompt": "p"}]""")]
    [InlineData("an empty JSON array", "[]")]
    [InlineData("a JSON string", "\"mj-v7-remix\"")]
    [InlineData("a JSON number", "42")]
    [InlineData("JSON null", "null")]
    [InlineData("a trailing comma", """{"model": "mj-v7-remix",}""")]
    [InlineData("single quotes", "{'model': 'mj-v7-remix'}")]
    [InlineData("two objects", """{"model": "mj-v7-remix"}{}""")]
    public async Task A_body_that_is_not_a_json_object_answers_400_invalid_request(string why, string body)
    {
        var (status, answer) = await shared.Client.PostJsonAsync(Create, body);
        AssertUnifiedError(400, "invalid_request", "invalid_request_error", null, status, answer, why);
    }

    [Fact]
    public async Task A_body_nested_deeper_than_the_reader_allows_answers_400_invalid_request()
    {
        var body = """{"model": "mj-v7-remix", "model_params": {"x": """ + new string('[', 100) + new string(']', 100) + "}}";
        var (status, answer) = await shared.Client.PostJsonAsync(Create, body);
        AssertUnifiedError(400, "invalid_request", "invalid_request_error", null, status, answer, "100 nested arrays");
    }

    // ---- every field given a value of the wrong JSON type: the field's 400, never a 500 ----

    public static TheoryData<string, string, string, string> WrongTypes()
    {
        string[] strings = ["true", "1", "1.5", "[]", "{}"];
        string[] ints = ["true", "\"1\"", "1.5", "[]", "{}", "1e400", "2147483648", "-2147483649"];
        string[] objects = ["true", "1", "\"x\"", "[]"];
        string[] arrays = ["true", "1", "\"x\"", "{}"];
        (string Model, string Path, string[] Values, string Param)[] fields =
        [
            (UploadPaint, "model", strings, "model"),
            (UploadPaint, "prompt", strings, "prompt"),
            (UploadPaint, "image_urls", arrays, "image_urls"),
            (UploadPaint, "image_urls[0]", strings, "image_urls"),
            (UploadPaint, "model_params", objects, "model_params"),
            (UploadPaint, "model_params.canvas", objects, "model_params.canvas"),
            (UploadPaint, "model_params.canvas.width", ints, "model_params.canvas.width"),
            (UploadPaint, "model_params.canvas.height", ints, "model_params.canvas.height"),
            (UploadPaint, "model_params.img_pos", objects, "model_params.img_pos"),
            (UploadPaint, "model_params.img_pos.width", ints, "model_params.img_pos.width"),
            (UploadPaint, "model_params.img_pos.height", ints, "model_params.img_pos.height"),
            (UploadPaint, "model_params.img_pos.x", ints, "model_params.img_pos.x"),
            (UploadPaint, "model_params.img_pos.y", ints, "model_params.img_pos.y"),
            (UploadPaint, "model_params.mask", objects, "model_params.mask"),
            (UploadPaint, "model_params.mask.areas", arrays, "model_params.mask.areas"),
            (UploadPaint, "model_params.mask.areas[0]", objects, "model_params.mask.areas[0]"),
            (UploadPaint, "model_params.mask.areas[0].width", ints, "model_params.mask.areas[0].width"),
            (UploadPaint, "model_params.mask.areas[0].height", ints, "model_params.mask.areas[0].height"),
            (UploadPaint, "model_params.mask.areas[0].points", arrays, "model_params.mask.areas[0].points"),
            (UploadPaint, "model_params.mask.areas[0].points[5]", ints, "model_params.mask.areas[0].points"),
            (UploadPaint, "model_params.speed", strings, "model_params.speed"),
            (UploadPaint, "callback_url", strings, "callback_url"),
            (EditModel, "model_params.task_id", strings, "model_params.task_id"),
            (EditModel, "model_params.image_number", ints, "model_params.image_number"),
            (EditModel, "prompt", strings, "prompt"),
            (Inpaint, "model_params.mask", objects, "model_params.mask"),
            (Inpaint, "model_params.mask.areas[0].points[3]", ints, "model_params.mask.areas[0].points"),
            (Remix, "model_params.mode", strings, "model_params.mode"),
            (Remix, "model_params.image_number", ints, "model_params.image_number"),
        ];
        var data = new TheoryData<string, string, string, string>();
        foreach (var (model, path, values, param) in fields)
        {
            foreach (var value in values)
            {
                data.Add(model, path, value, param);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public async Task A_field_of_the_wrong_json_type_answers_400_naming_it(string model, string path, string value, string param)
    {
        var body = TestBodies.WithRaw(Body(model, _ => { }), path, value);
        var (status, answer) = await shared.Client.PostJsonAsync(Create, body);
        AssertUnifiedError(400, "invalid_request", "invalid_request_error", param, status, answer, $"{model} {path} = {value}");
    }

    public static TheoryData<string, string, string> LoneSurrogates() => new()
    {
        { UploadPaint, "model", "model" },
        { UploadPaint, "prompt", "prompt" },
        { UploadPaint, "image_urls[0]", "image_urls" },
        { UploadPaint, "callback_url", "callback_url" },
        { UploadPaint, "model_params.speed", "model_params.speed" },
        { EditModel, "model_params.task_id", "model_params.task_id" },
        { Remix, "model_params.mode", "model_params.mode" },
    };

    [Theory]
    [MemberData(nameof(LoneSurrogates))]
    public async Task A_string_field_holding_a_lone_surrogate_is_a_malformed_body_not_a_500(string model, string path, string param)
    {
        // A string that is not text makes the whole body malformed, whichever field holds it: 400 without a param.
        _ = param;
        var body = TestBodies.WithRaw(Body(model, _ => { }), path, LoneSurrogate);
        var (status, answer) = await shared.Client.PostJsonAsync(Create, body);
        AssertUnifiedError(400, "invalid_request", "invalid_request_error", null, status, answer, $"{model} {path} = {LoneSurrogate}");
        Assert.Null(answer["error"]!["param"]);
    }

    // ---- 401, 404, 409, 413 ----

    [Theory]
    [InlineData("POST", Create, null)]
    [InlineData("GET", "/v1/tasks/" + UnknownTask, null)]
    [InlineData("POST", "/v1/tasks/" + UnknownTask + "/cancel", null)]
    [InlineData("POST", Create, "Bearer not-a-key")]
    [InlineData("POST", Create, "Bearer " + EaselHost.AdminKey + "x")]
    [InlineData("POST", Create, "Basic dGVzdDp0ZXN0")]
    [InlineData("GET", "/v1/tasks/" + UnknownTask, "Bearer not-a-key")]
    [InlineData("POST", Create, EaselHost.AdminKey)]
    public async Task A_request_without_a_valid_key_answers_401_unauthorized(string method, string path, string? authorization)
    {
        using var client = shared.Host.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        if (method == "POST")
        {
            request.Content = new StringContent(Body(Remix, _ => { }), System.Text.Encoding.UTF8, "application/json");
        }
        using var response = await client.SendAsync(request);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        AssertUnifiedError(401, "unauthorized", "authentication_error", null, (int)response.StatusCode, answer, $"{method} {path} with {authorization ?? "no key"}");
    }

    [Theory]
    [InlineData("GET", "/v1/tasks/" + UnknownTask)]
    [InlineData("POST", "/v1/tasks/" + UnknownTask + "/cancel")]
    [InlineData("GET", "/v1/tasks/task-classic-1700000000-nosuchtask")]
    public async Task An_unknown_task_answers_404_resource_not_found(string method, string path)
    {
        var (status, answer) = method == "GET" ? await shared.Client.GetJsonAsync(path) : await shared.Client.PostJsonAsync(path, "{}");
        AssertUnifiedError(404, "resource_not_found", "invalid_request_error", null, status, answer, $"{method} {path}");
    }

    public static TheoryData<string> Secondaries() => new(SecondaryModels);

    [Theory]
    [MemberData(nameof(Secondaries))]
    public async Task A_secondary_operation_on_an_unknown_task_answers_404_naming_task_id(string model)
    {
        var (status, answer) = await shared.Client.PostJsonAsync(Create, Body(model, _ => { }));
        AssertUnifiedError(404, "resource_not_found", "invalid_request_error", "model_params.task_id", status, answer, model);
    }

    [Fact]
    public async Task A_task_of_another_account_is_not_found_on_get_cancel_and_as_a_source()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var owner = await host.NewAccountAsync("owner");
        using var stranger = await host.NewAccountAsync("stranger");
        var source = await CompletedUploadPaintAsync(owner, images);

        var (getStatus, got) = await stranger.GetJsonAsync($"/v1/tasks/{source}");
        AssertUnifiedError(404, "resource_not_found", "invalid_request_error", null, getStatus, got, "GET");
        var (cancelStatus, cancelled) = await stranger.PostJsonAsync($"/v1/tasks/{source}/cancel", "{}");
        AssertUnifiedError(404, "resource_not_found", "invalid_request_error", null, cancelStatus, cancelled, "cancel");
        foreach (var model in SecondaryModels)
        {
            var (status, answer) = await stranger.PostJsonAsync(Create, Body(model, b => b["model_params"]!["task_id"] = source));
            AssertUnifiedError(404, "resource_not_found", "invalid_request_error", "model_params.task_id", status, answer, model);
        }

        // The owner reads it: the 404s above are about the account.
        var (ownStatus, own) = await owner.GetJsonAsync($"/v1/tasks/{source}");
        Assert.True(ownStatus == 200, own.ToJsonString());
    }

    [Fact]
    public async Task A_source_task_that_is_not_completed_answers_409_naming_task_id()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var slow = images.Stall("/slow.png", TimeSpan.FromSeconds(3));
        var (createStatus, created) = await client.PostJsonAsync(Create, Requests.UnifiedUploadPaint(slow));
        Assert.True(createStatus == 200, created.ToJsonString());
        var source = (string)created["id"]!;

        foreach (var model in SecondaryModels)
        {
            var (status, answer) = await client.PostJsonAsync(Create, Body(model, b => b["model_params"]!["task_id"] = source));
            AssertUnifiedError(409, "invalid_request", "invalid_request_error", "model_params.task_id", status, answer, model);
        }
        var (_, still) = await client.GetJsonAsync($"/v1/tasks/{source}");
        Assert.Contains((string?)still["status"], new[] { "pending", "processing" });
    }

    [Theory]
    [InlineData("a valid body with a prompt over 1 MiB")]
    [InlineData("1 MiB of garbage")]
    public async Task A_body_over_one_mebibyte_answers_413_request_too_large(string why)
    {
        var body = why.StartsWith("a valid", StringComparison.Ordinal)
            ? Body(Remix, b => b["prompt"] = new string('a', (1024 * 1024) + 1))
            : new string('x', (1024 * 1024) + 1);
        var (status, answer) = await shared.Client.PostJsonAsync(Create, body);
        AssertUnifiedError(413, "request_too_large", "invalid_request_error", null, status, answer, why);
    }

    [Theory]
    [InlineData(1024 * 1024, false, 400, "invalid_request")]
    [InlineData((1024 * 1024) + 1, false, 413, "request_too_large")]
    [InlineData(1024 * 1024, true, 400, "invalid_request")]
    [InlineData((1024 * 1024) + 1, true, 413, "request_too_large")]
    public async Task The_body_limit_is_one_mebibyte_exactly_with_or_without_a_declared_length(int bytes, bool chunked, int expectedStatus, string code)
    {
        var body = HttpBodies.OfExactSize(Body(Remix, b => b["prompt"] = "__fill__"), bytes);
        Assert.Equal(bytes, System.Text.Encoding.UTF8.GetByteCount(body));
        var (status, answer) = chunked
            ? await shared.Client.PostUnsizedAsync(Create, body)
            : await shared.Client.PostJsonAsync(Create, body);
        AssertUnifiedError(expectedStatus, code, "invalid_request_error", expectedStatus == 400 ? "prompt" : null, status, answer, $"{bytes} bytes, chunked: {chunked}");
    }

    // ---- a successful create answers the documented task object ----

    [Theory]
    [InlineData(null, 8.1)]
    [InlineData("fast", 8.1)]
    [InlineData("turbo", 16.2)]
    public async Task A_created_upload_paint_answers_the_documented_pending_task(string? speed, double credits)
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var body = Requests.UnifiedUploadPaint(images.Serve("/a.png", TestImages.PatternPng(64, 64)));
        if (speed is not null)
        {
            ((Dictionary<string, object?>)body["model_params"]!)["speed"] = speed;
        }

        var (status, task) = await client.PostJsonAsync(Create, body);

        Assert.True(status == 200, task.ToJsonString());
        AssertCreatedTask(task, UploadPaint, (decimal)credits);
    }

    [Fact]
    public async Task Each_secondary_model_answers_create_with_the_documented_pending_task()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var source = await CompletedUploadPaintAsync(client, images);

        foreach (var model in SecondaryModels)
        {
            var (status, task) = await client.PostJsonAsync(Create, Body(model, b => b["model_params"]!["task_id"] = source));
            Assert.True(status == 200, $"{model}: {task.ToJsonString()}");
            AssertCreatedTask(task, model, 8.1m);
        }
        var (turboStatus, turbo) = await client.PostJsonAsync(Create, Body(Remix, b =>
        {
            b["model_params"]!["task_id"] = source;
            b["model_params"]!["speed"] = "turbo";
        }));
        Assert.True(turboStatus == 200, turbo.ToJsonString());
        AssertCreatedTask(turbo, Remix, 16.2m);
    }

    private static void AssertCreatedTask(JsonObject task, string model, decimal credits)
    {
        var text = task.ToJsonString();
        Assert.Equal(
            new[] { "created", "id", "model", "object", "progress", "status", "task_info", "type", "usage" },
            task.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.Number, task["created"]!.GetValueKind());
        var created = task["created"]!.GetValue<long>();
        Assert.InRange(created, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
        Assert.StartsWith("task-unified-", (string)task["id"]!, StringComparison.Ordinal);
        Assert.Equal(model, (string?)task["model"]);
        Assert.Equal("image.generation.task", (string?)task["object"]);
        Assert.Equal("0", task["progress"]!.ToJsonString());
        Assert.Equal("pending", (string?)task["status"]);
        Assert.Equal("image", (string?)task["type"]);

        var info = task["task_info"]!.AsObject();
        Assert.Equal(new[] { "can_cancel", "estimated_time" }, info.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.True(info["can_cancel"]!.GetValue<bool>(), text);
        Assert.Equal(JsonValueKind.Number, info["estimated_time"]!.GetValueKind());
        Assert.True(int.TryParse(info["estimated_time"]!.ToJsonString(), out var seconds) && seconds >= 0, $"estimated_time must be a non-negative integer: {text}");

        var usage = task["usage"]!.AsObject();
        Assert.Equal(new[] { "billing_rule", "credits_reserved", "user_group" }, usage.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("per_call", (string?)usage["billing_rule"]);
        Assert.Equal(credits.ToString(System.Globalization.CultureInfo.InvariantCulture), usage["credits_reserved"]!.ToJsonString());
        Assert.Equal("default", (string?)usage["user_group"]);
    }

    private static async Task<string> CompletedUploadPaintAsync(HttpClient client, ImageServer images)
    {
        var url = images.Serve("/source.png", TestImages.PatternPng(64, 64));
        var (status, created) = await client.PostJsonAsync(Create, Requests.UnifiedUploadPaint(url));
        Assert.True(status == 200, created.ToJsonString());
        var (task, _) = await client.UnifiedDoneAsync((string)created["id"]!);
        Assert.True((string?)task["status"] == "completed", task.ToJsonString());
        return (string)task["id"]!;
    }

    private static void AssertUnifiedError(int expectedStatus, string code, string type, string? param, int status, JsonObject body, string context)
    {
        var text = body.ToJsonString();
        Assert.True(status == expectedStatus, $"{context}: expected HTTP {expectedStatus}, got {status}: {text}");
        Assert.Equal(new[] { "error" }, body.Select(p => p.Key));
        var error = body["error"]!.AsObject();
        Assert.True((string?)error["code"] == code, $"{context}: expected code {code}: {text}");
        Assert.True((string?)error["type"] == type, $"{context}: expected type {type}: {text}");
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]), $"{context}: empty message: {text}");
        Assert.Empty(error.Select(p => p.Key).Except(new[] { "code", "message", "type", "param" }));
        if (param is not null)
        {
            Assert.True((string?)error["param"] == param, $"{context}: expected param {param}: {text}");
        }
    }
}
