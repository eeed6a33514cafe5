using System.Text.Json.Nodes;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Unified;

/// <summary>GET /v1/tasks, Easel's extension of the unified dialect: the caller's own tasks, newest first, paged by a task id.</summary>
public sealed class TaskListTests
{
    private const string Create = "/v1/images/generations";

    /// <summary>Creates tasks whose image nobody serves (they fail fast), in order; their ids, oldest first.</summary>
    private static async Task<List<string>> CreateAsync(HttpClient client, ImageServer images, int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var (status, body) = await client.PostJsonAsync(Create, Requests.UnifiedUploadPaint(images.BaseUrl + "/missing.png"));
            Assert.Equal(200, status);
            ids.Add(body["id"]!.GetValue<string>());
            // Creation times are stored in milliseconds: distinct ones make "newest first" a single exact order.
            await Task.Delay(3);
        }
        return ids;
    }

    private static List<string> Ids(JsonObject page) => page["data"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task The_list_holds_only_the_callers_tasks_newest_first_in_the_unified_task_shape()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var mine = await host.NewAccountAsync("mine");
        using var theirs = await host.NewAccountAsync("theirs");
        var ids = await CreateAsync(mine, images, 3);
        await CreateAsync(theirs, images, 2);

        var (status, page) = await mine.GetJsonAsync("/v1/tasks");

        Assert.Equal(200, status);
        Assert.Equal("list", page["object"]!.GetValue<string>());
        Assert.False(page["has_more"]!.GetValue<bool>());
        Assert.Equal(Enumerable.Reverse(ids), Ids(page));
        var first = page["data"]![0]!.AsObject();
        Assert.Equal("image.generation.task", first["object"]!.GetValue<string>());
        Assert.Equal("mj-v7-upload-paint", first["model"]!.GetValue<string>());
        Assert.NotNull(first["task_info"]);
        Assert.NotNull(first["usage"]);
    }

    [Fact]
    public async Task Pages_follow_one_another_by_the_last_id_without_repeating_or_skipping_a_task()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var ids = await CreateAsync(client, images, 5);

        var seen = new List<string>();
        var more = new List<bool>();
        var path = "/v1/tasks?limit=2";
        while (true)
        {
            var (status, page) = await client.GetJsonAsync(path);
            Assert.Equal(200, status);
            var pageIds = Ids(page);
            seen.AddRange(pageIds);
            more.Add(page["has_more"]!.GetValue<bool>());
            if (!more[^1])
            {
                break;
            }
            path = $"/v1/tasks?limit=2&before={pageIds[^1]}";
        }

        Assert.Equal(Enumerable.Reverse(ids), seen);
        Assert.Equal([true, true, false], more);
    }

    [Fact]
    public async Task The_state_filter_reads_states_as_the_unified_dialect_does_and_cancelled_narrows_failed()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var good = images.Serve("/a.png", TestImages.PatternPng(64, 64));
        var stalled = images.Stall("/stalled.png", TimeSpan.FromMinutes(2));
        var (_, completed) = await client.PostJsonAsync(Create, Requests.UnifiedUploadPaint(good));
        var (_, failed) = await client.PostJsonAsync(Create, Requests.UnifiedUploadPaint(images.BaseUrl + "/missing.png"));
        var (_, cancelled) = await client.PostJsonAsync(Create, Requests.UnifiedUploadPaint(stalled));
        var completedId = completed["id"]!.GetValue<string>();
        var failedId = failed["id"]!.GetValue<string>();
        var cancelledId = cancelled["id"]!.GetValue<string>();
        Assert.Equal(200, (await client.PostJsonAsync($"/v1/tasks/{cancelledId}/cancel", "{}")).Status);
        await client.UnifiedDoneAsync(completedId);
        await client.UnifiedDoneAsync(failedId);

        async Task<List<string>> ListAsync(string state)
        {
            var (status, page) = await client.GetJsonAsync($"/v1/tasks?state={state}");
            Assert.Equal(200, status);
            return Ids(page);
        }

        Assert.Equal([completedId], await ListAsync("completed"));
        Assert.Equal([cancelledId, failedId], await ListAsync("failed"));
        Assert.Equal([cancelledId], await ListAsync("cancelled"));
        Assert.Empty(await ListAsync("pending"));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("state=cancelled,failed", "state")]
    [InlineData("state=Completed", "state")]
    [InlineData("before=task-unified-1700000000-nosuchtask", "before")]
    public async Task A_bad_parameter_is_a_unified_400_naming_it(string query, string param)
    {
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();

        var (status, body) = await client.GetJsonAsync("/v1/tasks?" + query);

        Assert.Equal(400, status);
        Assert.Equal("invalid_request", body["error"]!["code"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", body["error"]!["type"]!.GetValue<string>());
        Assert.Equal(param, body["error"]!["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task Another_accounts_task_as_cursor_is_answered_as_an_unknown_one()
    {
        await using var images = await ImageServer.StartAsync();
        using var host = new EaselHost();
        using var mine = await host.NewAccountAsync("mine");
        using var theirs = await host.NewAccountAsync("theirs");
        var foreign = (await CreateAsync(theirs, images, 1))[0];

        var (status, body) = await mine.GetJsonAsync($"/v1/tasks?before={foreign}");
        var (_, unknown) = await mine.GetJsonAsync("/v1/tasks?before=task-unified-1700000000-nosuchtask");

        Assert.Equal(400, status);
        Assert.Equal(
            unknown["error"]!["message"]!.GetValue<string>().Replace("task-unified-1700000000-nosuchtask", "ID", StringComparison.Ordinal),
            body["error"]!["message"]!.GetValue<string>().Replace(foreign, "ID", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_list_needs_a_key()
    {
        using var host = new EaselHost();
        using var anonymous = host.CreateClient();

        var (status, body) = await anonymous.GetJsonAsync("/v1/tasks");

        Assert.Equal(401, status);
        Assert.Equal("unauthorized", body["error"]!["code"]!.GetValue<string>());
    }
}
