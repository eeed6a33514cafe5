using Easel.Testing;
using System.Text.Json;
using Easel.Cli.Tests.Infrastructure;

namespace Easel.Cli.Tests;

/// <summary><c>easel tasks list|show|cancel</c> against a real server process.</summary>
[Collection(UsesEaselServer.Name)]
public sealed class TaskVerbTests(EaselServer server)
{
    private async Task<string> KeyAsync() => (await server.CreateAccountAsync("Task Owner", "--credits", "1000")).ApiKey;

    /// <summary>Tasks that fail fast (nobody serves their image), oldest first.</summary>
    private async Task<List<string>> FailingTasksAsync(string key, int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add(await TestTasks.CreateFailingTaskAsync(server.Url, key));
            // Creation times are kept in milliseconds: distinct ones make "newest first" one exact order.
            await Task.Delay(3);
        }
        return ids;
    }

    private static List<string> Ids(CliRun run) =>
        run.Json.RootElement.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToList();

    [Fact]
    public async Task List_pages_through_the_callers_tasks_newest_first()
    {
        var key = await KeyAsync();
        var other = await KeyAsync();
        var ids = await FailingTasksAsync(key, 3);
        await FailingTasksAsync(other, 1);

        var first = await server.RunWithKeyAsync(key, "tasks", "list", "--limit", "2", "--json");
        var second = await server.RunWithKeyAsync(key, "tasks", "list", "--limit", "2", "--before", Ids(first)[^1], "--json");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal([ids[2], ids[1]], Ids(first));
        Assert.True(first.Json.RootElement.GetProperty("has_more").GetBoolean());
        Assert.Equal([ids[0]], Ids(second));
        Assert.False(second.Json.RootElement.GetProperty("has_more").GetBoolean());
    }

    [Fact]
    public async Task List_as_a_table_shows_each_task_and_how_to_get_the_next_page()
    {
        var key = await KeyAsync();
        var ids = await FailingTasksAsync(key, 2);

        var run = await server.RunWithKeyAsync(key, "tasks", "list", "--limit", "1");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(ids[1], run.Stdout);
        Assert.DoesNotContain(ids[0], run.Stdout);
        Assert.Contains("mj-v7-upload-paint", run.Stdout);
        Assert.Contains($"More: easel tasks list --before {ids[1]}", run.Stdout);
    }

    [Fact]
    public async Task List_filters_by_state()
    {
        var key = await KeyAsync();
        var failed = (await FailingTasksAsync(key, 1))[0];
        await UntilFinishedAsync(key, failed);

        var failures = await server.RunWithKeyAsync(key, "tasks", "list", "--state", "failed", "--json");
        var completed = await server.RunWithKeyAsync(key, "tasks", "list", "--state", "completed", "--json");

        Assert.Equal([failed], Ids(failures));
        Assert.Empty(Ids(completed));
    }

    [Fact]
    public async Task Show_prints_a_task_and_its_error_and_json_prints_the_unified_view()
    {
        var key = await KeyAsync();
        var id = (await FailingTasksAsync(key, 1))[0];

        var table = await server.RunWithKeyAsync(key, "tasks", "show", id);
        var json = await server.RunWithKeyAsync(key, "tasks", "show", id, "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(id, table.Stdout);
        Assert.Contains("mj-v7-upload-paint", table.Stdout);
        Assert.Equal(id, json.Json.RootElement.GetProperty("id").GetString());
        Assert.Equal("image.generation.task", json.Json.RootElement.GetProperty("object").GetString());
    }

    [Fact]
    public async Task Show_of_an_unknown_task_or_of_another_accounts_exits_5()
    {
        var key = await KeyAsync();
        var theirs = (await FailingTasksAsync(await KeyAsync(), 1))[0];

        var unknown = await server.RunWithKeyAsync(key, "tasks", "show", "task-unified-1700000000-nosuchtask");
        var foreign = await server.RunWithKeyAsync(key, "tasks", "show", theirs);

        Assert.Equal(5, unknown.ExitCode);
        Assert.Equal(5, foreign.ExitCode);
        Assert.Equal("", foreign.Stdout);
    }

    [Fact]
    public async Task Cancel_cancels_a_running_task_and_a_second_cancel_of_a_finished_one_exits_6()
    {
        var key = await KeyAsync();
        await using var images = await ImageServer.StartAsync();
        var fetching = new TaskCompletionSource();
        var url = images.Hold("/held.png", fetching);
        var created = await server.RunWithKeyAsync(key, "submit", "upload-paint", "-p", "a quiet harbour", "--image", url,
            "--canvas", "128x128", "--position", "64x64+32+32", "--mask-area", "30,30,30,90,90,90", "--no-wait", "--json");
        var id = created.Json.RootElement.GetProperty("id").GetString()!;
        await fetching.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var cancel = await server.RunWithKeyAsync(key, "tasks", "cancel", id);
        var shown = await server.RunWithKeyAsync(key, "tasks", "show", id, "--json");
        var failed = (await FailingTasksAsync(key, 1))[0];
        await UntilFinishedAsync(key, failed);
        var finished = await server.RunWithKeyAsync(key, "tasks", "cancel", failed);

        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Contains("cancelled", cancel.Stdout);
        Assert.Equal("request_cancelled", shown.Json.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(6, finished.ExitCode);
        Assert.Contains("cannot be cancelled", finished.Stderr);
    }

    /// <summary>Waits for the task's end through the API itself, so a test asks about a settled task.</summary>
    private async Task UntilFinishedAsync(string key, string id)
    {
        using var http = server.Http(key);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var task = JsonDocument.Parse(await http.GetStringAsync($"/v1/tasks/{id}"));
            if (task.RootElement.GetProperty("status").GetString() is "completed" or "failed")
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"task {id} did not finish: {task.RootElement}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Tasks_verbs_need_a_valid_key()
    {
        var run = await server.RunWithKeyAsync("not-a-key-of-this-server", "tasks", "list");

        Assert.Equal(3, run.ExitCode);
        Assert.Equal("", run.Stdout);
    }
}
