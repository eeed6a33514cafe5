using System.Text.Json;
using Easel.Cli.Tests.Infrastructure;
using Easel.Imaging;
using Easel.Testing;

namespace Easel.Cli.Tests;

/// <summary><c>easel submit</c> against a real server process running the local engine.</summary>
[Collection(UsesEaselServer.Name)]
public sealed class SubmitVerbTests(EaselServer server) : IDisposable
{
    private const string Mask = "30,30,30,90,90,90,90,30";
    private readonly string _folder = Directory.CreateTempSubdirectory("easel-cli-submit-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<string> KeyAsync() => (await server.CreateAccountAsync("Submitter", "--credits", "1000")).ApiKey;

    private string LocalPng(int width, int height)
    {
        var path = Path.Combine(_folder, $"source-{width}x{height}.png");
        File.WriteAllBytes(path, TestPng.PatternPng(width, height));
        return path;
    }

    private static void AssertFourImages(string directory, int width, int height, string extension = ".png")
    {
        for (var n = 1; n <= 4; n++)
        {
            var path = Path.Combine(directory, n + extension);
            Assert.True(File.Exists(path), $"{path} is missing; the folder holds: {string.Join(", ", Directory.GetFiles(directory).Select(Path.GetFileName))}");
            var image = ImageCodec.Decode(File.ReadAllBytes(path));
            Assert.Equal((width, height), (image.Width, image.Height));
        }
        Assert.Equal(4, Directory.GetFiles(directory).Length);
    }

    [Fact]
    public async Task Upload_paint_of_a_local_file_is_followed_to_completion_and_its_four_images_are_saved_decodable_at_canvas_size()
    {
        var key = await KeyAsync();
        var output = Path.Combine(_folder, "out");
        static int Streams(string log) => log.Split("/v1/tasks/{taskId}/events").Length - 1;
        var streamsBefore = Streams(server.Log);

        var run = await server.RunWithKeyAsync(key, "submit", "upload-paint", "--prompt", "a quiet harbour", "--image", LocalPng(64, 48),
            "--canvas", "160x128", "--position", "80x60+40+34", "--mask-area", Mask, "--out", output, "--poll-interval", "0.1");

        Assert.True(run.ExitCode == 0, run.ToString());
        AssertFourImages(output, 160, 128);
        Assert.Contains("Created task task-unified-", run.Stdout);
        Assert.Contains($"Saved 4 images to {output}", run.Stdout);
        Assert.Contains("completed", run.Stdout);
        Assert.Equal("", run.Stderr);
        // Followed through the task's event stream (the request log names its route), not by polling.
        Assert.True(Streams(server.Log) > streamsBefore, "the submit did not follow the task's event stream");
    }

    [Fact]
    public async Task With_json_stdout_is_only_the_final_task_and_the_images_are_saved_with_the_extension_of_their_format()
    {
        var key = await KeyAsync();
        await using var images = await ImageServer.StartAsync();
        var url = images.Serve("/harbour.png", TestPng.PatternPng(64, 64));
        var output = Path.Combine(_folder, "json");

        var run = await server.RunWithKeyAsync(key, "submit", "mj-v7-upload-paint", "-p", "a quiet harbour", "--image", url,
            "--canvas", "96x96", "--position", "64x64-16+16", "--mask-area", Mask, "--mask-frame", "128x128", "--output-format", "jpeg",
            "--json", "-o", output, "--poll-interval", "0.1");

        Assert.True(run.ExitCode == 0, run.ToString());
        var task = run.Json.RootElement;
        Assert.Equal("completed", task.GetProperty("status").GetString());
        Assert.Equal(4, task.GetProperty("results").GetArrayLength());
        AssertFourImages(output, 96, 96, ".jpg");
    }

    [Fact]
    public async Task Inpaint_and_remix_take_their_source_by_task_id_and_image_number_and_keep_its_size()
    {
        var key = await KeyAsync();
        var first = await server.RunWithKeyAsync(key, "submit", "upload-paint", "-p", "a quiet harbour", "--image", LocalPng(48, 48),
            "--canvas", "112x80", "--position", "48x48+32+16", "--mask-area", Mask, "--json", "-o", Path.Combine(_folder, "first"), "--poll-interval", "0.1");
        Assert.True(first.ExitCode == 0, first.ToString());
        var source = first.Json.RootElement.GetProperty("id").GetString()!;

        var inpaint = await server.RunWithKeyAsync(key, "submit", "inpaint", "--task", source, "--image-number", "2",
            "--mask-area", "100,100,100,300,300,300", "--mask-frame", "500x500", "-o", Path.Combine(_folder, "inpaint"), "--poll-interval", "0.1");
        var remix = await server.RunWithKeyAsync(key, "submit", "remix", "--task", source, "--image-number", "3", "-p", "a stormy harbour",
            "--mode", "subtle", "--speed", "turbo", "-o", Path.Combine(_folder, "remix"), "--poll-interval", "0.1");

        Assert.True(inpaint.ExitCode == 0, inpaint.ToString());
        AssertFourImages(Path.Combine(_folder, "inpaint"), 112, 80);
        Assert.True(remix.ExitCode == 0, remix.ToString());
        AssertFourImages(Path.Combine(_folder, "remix"), 112, 80);
    }

    [Fact]
    public async Task The_options_reach_the_server_as_the_unified_request_fields()
    {
        var key = await KeyAsync();
        await using var images = await ImageServer.StartAsync();
        var fetching = new TaskCompletionSource();
        var url = images.Hold("/held.png", fetching);

        var run = await server.RunWithKeyAsync(key, "submit", "upload-paint", "-p", "a quiet harbour", "--image", url,
            "--canvas", "128x128", "--position", "64x64+32+32", "--mask-area", Mask, "--speed", "turbo",
            "--idempotency-key", "same-request", "--no-wait", "--json");
        var again = await server.RunWithKeyAsync(key, "submit", "upload-paint", "-p", "a quiet harbour", "--image", url,
            "--canvas", "128x128", "--position", "64x64+32+32", "--mask-area", Mask, "--speed", "turbo",
            "--idempotency-key", "same-request", "--no-wait", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var task = run.Json.RootElement;
        Assert.Equal("mj-v7-upload-paint", task.GetProperty("model").GetString());
        Assert.Equal(16.2m, task.GetProperty("usage").GetProperty("credits_reserved").GetDecimal()); // turbo: twice 8.1
        Assert.Equal(task.GetProperty("id").GetString(), again.Json.RootElement.GetProperty("id").GetString());
        await CancelAsync(key, task.GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task No_wait_only_creates_the_task_and_prints_it()
    {
        var key = await KeyAsync();
        await using var images = await ImageServer.StartAsync();
        var url = images.Hold("/held.png", new TaskCompletionSource());

        var run = await server.RunWithKeyAsync(key, "submit", "upload-paint", "-p", "a quiet harbour", "--image", url,
            "--canvas", "128x128", "--position", "64x64+32+32", "--mask-area", Mask, "--no-wait");

        Assert.True(run.ExitCode == 0, run.ToString());
        var id = run.Stdout.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("Task:", StringComparison.Ordinal))["Task:".Length..].Trim();
        Assert.StartsWith("task-unified-", id, StringComparison.Ordinal);
        Assert.DoesNotContain("following", run.Stdout);
        await CancelAsync(key, id);
    }

    [Fact]
    public async Task A_task_that_fails_exits_8_with_its_error_code_and_message_on_stderr()
    {
        var key = await KeyAsync();
        var unserved = $"http://127.0.0.1:{ServerProcess.FreePort()}/missing.png";
        var output = Path.Combine(_folder, "never");

        var run = await server.RunWithKeyAsync(key, "submit", "upload-paint", "-p", "a quiet harbour", "--image", unserved,
            "--canvas", "128x128", "--position", "64x64+32+32", "--mask-area", Mask, "--json", "-o", output, "--poll-interval", "0.1");

        Assert.Equal(8, run.ExitCode);
        Assert.Equal("failed", run.Json.RootElement.GetProperty("status").GetString());
        var code = run.Json.RootElement.GetProperty("error").GetProperty("code").GetString();
        Assert.Contains($"failed: {code}: ", run.Stderr);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task A_task_cancelled_while_followed_exits_9()
    {
        var key = await KeyAsync();
        await using var images = await ImageServer.StartAsync();
        var fetching = new TaskCompletionSource();
        var url = images.Hold("/held.png", fetching);
        using var stdout = new WatchedWriter("Created task ");

        var submit = EaselCli.RunAsync(["submit", "upload-paint", "-p", "a quiet harbour", "--image", url, "--canvas", "128x128",
            "--position", "64x64+32+32", "--mask-area", Mask, "--poll-interval", "0.1", "--url", server.Url, "--key", key], stdout, CancellationToken.None);
        await stdout.Seen.WaitAsync(TimeSpan.FromSeconds(30));
        var id = IdIn(stdout.ToString());
        await CancelAsync(key, id);
        var run = await submit.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(9, run.ExitCode);
        Assert.Contains($"task {id} was cancelled", run.Stderr);
        Assert.Contains("cancelled", run.Stdout);
    }

    [Fact]
    public async Task Ctrl_C_while_following_stops_following_exits_130_and_leaves_the_task_running()
    {
        var key = await KeyAsync();
        await using var images = await ImageServer.StartAsync();
        var fetching = new TaskCompletionSource();
        var url = images.Hold("/held.png", fetching);
        using var stdout = new WatchedWriter("Created task ");
        using var ctrlC = new CancellationTokenSource();

        var submit = EaselCli.RunAsync(["submit", "upload-paint", "-p", "a quiet harbour", "--image", url, "--canvas", "128x128",
            "--position", "64x64+32+32", "--mask-area", Mask, "--poll-interval", "0.1", "--url", server.Url, "--key", key], stdout, ctrlC.Token);
        await stdout.Seen.WaitAsync(TimeSpan.FromSeconds(30));
        await fetching.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await ctrlC.CancelAsync();
        var run = await submit.WaitAsync(TimeSpan.FromSeconds(30));
        var id = IdIn(run.Stdout);

        Assert.Equal(130, run.ExitCode);
        Assert.Contains($"stopped following task {id}", run.Stderr);
        Assert.Equal("processing", await StatusAsync(key, id));
        await CancelAsync(key, id);
    }

    [Fact]
    public async Task Ctrl_C_with_cancel_on_interrupt_cancels_the_task_and_exits_130()
    {
        var key = await KeyAsync();
        await using var images = await ImageServer.StartAsync();
        var fetching = new TaskCompletionSource();
        var url = images.Hold("/held.png", fetching);
        using var stdout = new WatchedWriter("Created task ");
        using var ctrlC = new CancellationTokenSource();

        var submit = EaselCli.RunAsync(["submit", "upload-paint", "-p", "a quiet harbour", "--image", url, "--canvas", "128x128",
            "--position", "64x64+32+32", "--mask-area", Mask, "--poll-interval", "0.1", "--cancel-on-interrupt",
            "--url", server.Url, "--key", key], stdout, ctrlC.Token);
        await stdout.Seen.WaitAsync(TimeSpan.FromSeconds(30));
        await ctrlC.CancelAsync();
        var run = await submit.WaitAsync(TimeSpan.FromSeconds(30));
        var id = IdIn(run.Stdout);

        Assert.Equal(130, run.ExitCode);
        Assert.Contains($"cancelled task {id}", run.Stderr);
        using var http = server.Http(key);
        using var task = JsonDocument.Parse(await http.GetStringAsync($"/v1/tasks/{id}"));
        Assert.Equal("request_cancelled", task.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("submit")]
    [InlineData("submit", "edit", "--canvas", "big")]
    [InlineData("submit", "upload-paint", "--position", "64x64+a+0")]
    [InlineData("submit", "upload-paint", "--mask-area", "1,2,3")]
    [InlineData("submit", "upload-paint", "--mask-area", "1,2,3,4,5,6")]
    [InlineData("submit", "upload-paint", "--image", "/no/such/file.png")]
    [InlineData("submit", "remix", "--mode", "wild")]
    [InlineData("submit", "upload-paint", "--no-wait", "--out", "x")]
    [InlineData("submit", "upload-paint", "--poll-interval", "0")]
    [InlineData("submit", "inpaint", "--mask-frame", "500x500")]
    [InlineData("submit", "inpaint", "--mask-area", "1,2,3,4,5,6")]
    [InlineData("submit", "inpaint", "--mask", "https://images.example.com/m.png", "--mask-area", "1,2,3,4,5,6", "--canvas", "9x9")]
    public async Task Malformed_submit_options_exit_2_before_anything_is_sent(params string[] args)
    {
        // No server listens at this URL: a request would exit 10, not 2.
        var run = await EaselCli.RunAsync([.. args, "--url", $"http://127.0.0.1:{ServerProcess.FreePort()}", "--key", "k"]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("", run.Stdout);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_the_server_refuses_exits_7_with_the_field_it_names()
    {
        var key = await KeyAsync();

        var run = await server.RunWithKeyAsync(key, "submit", "upload-paint", "-p", "a quiet harbour", "--image", "https://images.example.com/a.png",
            "--position", "64x64+32+32", "--mask-area", Mask, "--mask-frame", "100x100");

        Assert.Equal(7, run.ExitCode);
        Assert.Contains("(param: model_params.canvas)", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task An_unknown_source_task_exits_5()
    {
        var key = await KeyAsync();

        var run = await server.RunWithKeyAsync(key, "submit", "remix", "-p", "again", "--task", "task-unified-1700000000-nosuchtask");

        Assert.Equal(5, run.ExitCode);
        Assert.Contains("model_params.task_id", run.Stderr);
    }

    [Fact]
    public async Task Submitting_to_a_server_that_does_not_listen_exits_10()
    {
        var run = await EaselCli.RunAsync("submit", "remix", "-p", "again", "--task", "t", "--url", $"http://127.0.0.1:{ServerProcess.FreePort()}", "--key", "k");

        Assert.Equal(10, run.ExitCode);
        Assert.Contains("cannot reach Easel", run.Stderr);
    }

    [Fact]
    public async Task Submitting_with_an_unknown_key_exits_3()
    {
        var run = await server.RunWithKeyAsync("not-a-key-of-this-server", "submit", "remix", "-p", "again", "--task", "t");

        Assert.Equal(3, run.ExitCode);
    }

    private static string IdIn(string stdout)
    {
        var start = stdout.IndexOf("task-unified-", StringComparison.Ordinal);
        Assert.True(start >= 0, stdout);
        return new string(stdout[start..].TakeWhile(c => char.IsLetterOrDigit(c) || c == '-').ToArray());
    }

    private async Task<string> StatusAsync(string key, string id)
    {
        using var http = server.Http(key);
        using var task = JsonDocument.Parse(await http.GetStringAsync($"/v1/tasks/{id}"));
        return task.RootElement.GetProperty("status").GetString()!;
    }

    /// <summary>Frees the shared server's single worker from a held task.</summary>
    private async Task CancelAsync(string key, string id)
    {
        using var http = server.Http(key);
        using var response = await http.PostAsync($"/v1/tasks/{id}/cancel", null);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
