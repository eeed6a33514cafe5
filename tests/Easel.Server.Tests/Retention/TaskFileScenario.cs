using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Easel.Server.Tests.Infrastructure;

namespace Easel.Server.Tests.Retention;

/// <summary>
/// Tasks that share blobs in each way Easel lets them: two tasks on one upload, a secondary operation on an earlier
/// task's image, and a task whose image_urls names an earlier task's result file. Built through the public API on any
/// host (SQLite or PostgreSQL), so the retention and DELETE tests check one set of holds.
/// </summary>
internal sealed class TaskFileScenario
{
    public required string UploadA { get; init; }   // only task A's
    public required string UploadB { get; init; }   // tasks B's and C's
    public required string A { get; init; }
    public required string B { get; init; }
    public required string C { get; init; }          // upload-paint on B's upload
    public required string D { get; init; }          // remix of A's image 0
    public required string F { get; init; }          // upload-paint on A's image 2, named by URL
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> Results { get; init; }

    public static async Task<TaskFileScenario> BuildAsync(HttpClient client)
    {
        var uploadA = await UploadAsync(client, TestImages.PatternPng(16, 16));
        var uploadB = await UploadAsync(client, TestImages.PatternPng(20, 20));
        var a = await UploadPaintAsync(client, uploadA);
        var b = await UploadPaintAsync(client, uploadB);
        var results = new Dictionary<string, IReadOnlyList<string>>
        {
            [a] = await ResultsAsync(client, a),
            [b] = await ResultsAsync(client, b),
        };
        var c = await UploadPaintAsync(client, uploadB);
        var (status, remix) = await client.PostJsonAsync("/v1/images/generations",
            new { model = "mj-v7-remix", prompt = "again", model_params = new { task_id = a, image_number = 0 } });
        Assert.True(status == 200, remix.ToJsonString());
        var d = remix["id"]!.GetValue<string>();
        var f = await UploadPaintAsync(client, results[a][2]);
        foreach (var id in new[] { c, d, f })
        {
            results[id] = await ResultsAsync(client, id);
        }
        return new TaskFileScenario { UploadA = uploadA, UploadB = uploadB, A = a, B = b, C = c, D = d, F = f, Results = results };
    }

    public static async Task<string> UploadAsync(HttpClient client, byte[] png)
    {
        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(png);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(content, "file", "source.png");
        using var response = await client.PostAsync("/v1/files", form);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToJsonString());
        return body["url"]!.GetValue<string>();
    }

    public static async Task<string> UploadPaintAsync(HttpClient client, string url)
    {
        var (status, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(url, canvas: 32));
        Assert.True(status == 200, created.ToJsonString());
        return created["id"]!.GetValue<string>();
    }

    public static async Task<IReadOnlyList<string>> ResultsAsync(HttpClient client, string id)
    {
        var (task, _) = await client.UnifiedDoneAsync(id);
        Assert.True(task["status"]!.GetValue<string>() == "completed", task.ToJsonString());
        return task["results"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
    }

    public static async Task<HttpStatusCode> FileStatusAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(new Uri(url).PathAndQuery);
        return response.StatusCode;
    }

    /// <summary>
    /// After A's and B's files went: exactly A's unheld results (1 and 3), A's upload and all of B's results are gone;
    /// A's image 0 (D's source), A's image 2 (F's input), B's upload (C's input) and every file of C, D, F stay.
    /// </summary>
    public async Task AssertAAndBReleasedAsync(HttpClient client)
    {
        var gone = new List<string> { Results[A][1], Results[A][3], UploadA };
        gone.AddRange(Results[B]);
        var kept = new List<string> { Results[A][0], Results[A][2], UploadB };
        kept.AddRange(Results[C].Concat(Results[D]).Concat(Results[F]));
        foreach (var url in gone)
        {
            Assert.True(await FileStatusAsync(client, url) == HttpStatusCode.NotFound, $"{url} should be gone");
        }
        foreach (var url in kept)
        {
            Assert.True(await FileStatusAsync(client, url) == HttpStatusCode.OK, $"{url} is still held and must be served");
        }
        foreach (var id in new[] { A, B })
        {
            // The task stays (status, usage) without its results, in both dialects.
            var (status, unified) = await client.GetJsonAsync($"/v1/tasks/{id}");
            Assert.Equal(200, status);
            Assert.Equal("completed", unified["status"]!.GetValue<string>());
            Assert.False(unified.ContainsKey("results"), unified.ToJsonString());
            var (classicStatus, classic) = await client.GetJsonAsync($"/model/v1/generation/task/{id}");
            Assert.Equal(200, classicStatus);
            Assert.Equal("completed", classic["status"]!.GetValue<string>());
            Assert.False(classic.ContainsKey("output"), classic.ToJsonString());
        }
        foreach (var id in new[] { C, D, F })
        {
            var (_, unified) = await client.GetJsonAsync($"/v1/tasks/{id}");
            Assert.Equal(4, unified["results"]!.AsArray().Count);
        }
        // A task whose files are gone is no longer a source.
        var (refused, body) = await client.PostJsonAsync("/v1/images/generations",
            new { model = "mj-v7-remix", prompt = "once more", model_params = new { task_id = A, image_number = 0 } });
        Assert.Equal(409, refused);
        Assert.Contains("deleted", body["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>The blob files under a data directory (uploads and results).</summary>
    public static int BlobFileCount(string dataDirectory) =>
        Directory.EnumerateFiles(Path.Combine(dataDirectory, "files"), "*", SearchOption.AllDirectories).Count(f => !f.EndsWith(".tmp", StringComparison.Ordinal));
}
