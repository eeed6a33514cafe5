using System.Text.Json;
using Easel.Core.Tasks;
using Easel.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Easel.Testing;

namespace Easel.Server.Tests.Observability;

public sealed class RequestIdTests
{
    [Fact]
    public async Task Every_response_carries_a_request_id_and_a_well_formed_one_from_the_client_is_kept()
    {
        using var host = new EaselHost();
        using var client = host.CreateClient();

        async Task<string> IdOfAsync(string? sent)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
            if (sent is not null)
            {
                request.Headers.TryAddWithoutValidation("X-Request-Id", sent);
            }
            using var response = await client.SendAsync(request);
            return Assert.Single(response.Headers.GetValues("X-Request-Id"));
        }

        var first = await IdOfAsync(null);
        var second = await IdOfAsync(null);
        Assert.Matches("^req_[0-9a-f]{24}$", first);
        Assert.NotEqual(first, second);
        Assert.Equal("lb-7f3a.trace_01:2", await IdOfAsync("lb-7f3a.trace_01:2"));
        var longest = new string('a', 64);
        Assert.Equal(longest, await IdOfAsync(longest));
        foreach (var refused in new[] { new string('a', 65), "two words", "<script>", "a\"b", "%0d%0a" })
        {
            Assert.Matches("^req_[0-9a-f]{24}$", await IdOfAsync(refused));
        }
    }

    [Fact]
    public async Task The_request_id_is_stored_on_the_task_and_never_in_its_wire_bodies()
    {
        await using var images = await ImageServer.StartAsync();
        await using var receiver = await CallbackReceiver.StartAsync();
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var image = images.Serve("/a.png", TestImages.PatternPng(16, 16));
        var classic = Requests.ClassicUploadPaint(image, canvas: 32);
        classic["callback"] = receiver.Url;

        var (unifiedId, unifiedCreate) = await CreateAsync(client, "/v1/images/generations", Requests.UnifiedUploadPaint(image, canvas: 32), "unified-create-0001");
        var (classicId, classicCreate) = await CreateAsync(client, "/model/v1/generation", classic, "classic-create-0002");
        await client.UnifiedDoneAsync(unifiedId);
        await client.ClassicDoneAsync(classicId);
        var callback = Assert.Single(await receiver.WaitForAsync(1, TimeSpan.FromSeconds(15)));

        var store = host.Services.GetRequiredService<ITaskStore>();
        Assert.Equal("unified-create-0001", (await store.GetAsync(unifiedId, CancellationToken.None))!.RequestId);
        Assert.Equal("classic-create-0002", (await store.GetAsync(classicId, CancellationToken.None))!.RequestId);

        // Every body either dialect answers about these tasks, and the callback, is as the public API has it.
        var bodies = new List<string> { unifiedCreate, classicCreate, callback.Body };
        foreach (var id in new[] { unifiedId, classicId })
        {
            bodies.Add(await client.GetStringAsync($"/v1/tasks/{id}"));
            bodies.Add(await client.GetStringAsync($"/model/v1/generation/task/{id}"));
        }
        Assert.All(bodies, body =>
        {
            Assert.DoesNotContain("unified-create-0001", body, StringComparison.Ordinal);
            Assert.DoesNotContain("classic-create-0002", body, StringComparison.Ordinal);
            Assert.DoesNotContain("request_id", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("requestId", body, StringComparison.OrdinalIgnoreCase);
        });
    }

    private static async Task<(string Id, string Body)> CreateAsync(HttpClient client, string path, object body, string requestId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Request-Id", requestId);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal(requestId, Assert.Single(response.Headers.GetValues("X-Request-Id")));
        return (System.Text.Json.Nodes.JsonNode.Parse(text)!["id"]!.GetValue<string>(), text);
    }
}
