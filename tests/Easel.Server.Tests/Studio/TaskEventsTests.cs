using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Studio;

/// <summary>GET /v1/tasks/{id}/events: progress as it rises, then the finished task, then the end of the stream.</summary>
public sealed class TaskEventsTests
{
    [Fact]
    public async Task The_event_stream_reports_rising_progress_then_the_finished_task_and_ends()
    {
        await using var images = await ImageServer.StartAsync();
        var url = images.Serve("/a.png", TestImages.PatternPng(64, 64));
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url, canvas: 96));
        var id = created["id"]!.GetValue<string>();

        var events = await ReadEventsAsync(client, $"/v1/tasks/{id}/events");

        var progress = events.Where(e => e.Name == "progress").Select(e => JsonNode.Parse(e.Data)!.AsObject()).ToList();
        Assert.NotEmpty(progress);
        Assert.All(progress, p => Assert.Equal(id, p["id"]!.GetValue<string>()));
        var values = progress.Select(p => p["progress"]!.GetValue<int>()).ToList();
        Assert.Equal(values.Order().ToList(), values);
        Assert.Equal(100, values[^1]);
        var last = events[^1];
        Assert.Equal("task", last.Name);
        var task = JsonNode.Parse(last.Data)!.AsObject();
        Assert.Equal("completed", task["status"]!.GetValue<string>());
        Assert.Equal(4, task["results"]!.AsArray().Count);
    }

    [Fact]
    public async Task Another_accounts_task_has_no_event_stream_and_a_key_is_required()
    {
        using var host = new EaselHost();
        using var owner = await host.NewAccountAsync("owner");
        using var stranger = await host.NewAccountAsync("stranger");
        var (_, created) = await owner.PostJsonAsync("/v1/images/generations", """{"model": "mj-v7-upload-paint", "prompt": "x", "image_urls": ["https://example.com/a.png"], "model_params": {"canvas": {"width": 64, "height": 64}, "img_pos": {"width": 64, "height": 64, "x": 0, "y": 0}, "mask": {"areas": [{"width": 64, "height": 64, "points": [0,0,10,0,10,10]}]}}}""");
        var id = created["id"]!.GetValue<string>();
        using var anonymous = host.CreateClient();

        var (status, body) = await stranger.GetJsonAsync($"/v1/tasks/{id}/events");
        var unauthenticated = await anonymous.GetAsync($"/v1/tasks/{id}/events");

        Assert.Equal(404, status);
        Assert.Equal("resource_not_found", body["error"]!["code"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
    }

    internal static async Task<List<(string Name, string Data)>> ReadEventsAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(limit.Token));
        var events = new List<(string, string)>();
        string? name = null;
        var data = new List<string>();
        while (await reader.ReadLineAsync(limit.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    events.Add((name ?? "message", string.Join('\n', data)));
                }
                (name, data) = (null, []);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Add(line["data: ".Length..]);
            }
        }
        return events;
    }
}
