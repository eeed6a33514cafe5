using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Easel.Server.Tests.Infrastructure;
using Easel.Server.Tests.ScaleOut;
using Easel.Testing;
using Xunit.Abstractions;

namespace Easel.Server.Tests.Blobs;

/// <summary>
/// Easel:Blobs:Provider=s3 with real processes: two PostgreSQL-mode nodes, each on a data directory of its own, and
/// one bucket of a real S3-speaking server (s3rver) between them; the presigned redirect; a bucket that refuses writes;
/// the start-up check of the bucket.
/// </summary>
[Collection(PostgresCluster.Collection)]
public sealed class BucketScaleOutTests(PostgresCluster cluster, S3rverProcess s3, ITestOutputHelper output) : IClassFixture<S3rverProcess>
{
    [Fact]
    public async Task Two_nodes_without_a_shared_directory_serve_each_others_uploads_and_results_from_the_bucket()
    {
        var bucket = s3.NewBucket();
        using var nodes = new BucketNodes(await cluster.CreateDatabaseAsync(), s3, bucket);
        var (nodeA, dataA) = await nodes.StartAsync("node-a");
        var (_, key) = await BucketNodes.NewAccountAsync(nodeA, credits: 100);
        using var clientA = nodeA.Client(key);

        // Node A alone: an upload, and a task painted from it (node B does not exist yet, so A wrote every result).
        var upload = await BucketNodes.UploadAsync(clientA, TestImages.PatternPng(48, 48));
        var uploadUrl = upload["url"]!.GetValue<string>();
        Assert.StartsWith(BucketNodes.PublicBaseUrl + "/files/", uploadUrl, StringComparison.Ordinal);
        var (_, created) = await clientA.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(uploadUrl, canvas: 64));
        var taskId = created["id"]!.GetValue<string>();
        var (paintedByA, _) = await clientA.UnifiedDoneAsync(taskId);
        Assert.Equal("completed", paintedByA["status"]!.GetValue<string>());
        var results = paintedByA["results"]!.AsArray().Select(r => new Uri(r!.GetValue<string>()).PathAndQuery).ToList();
        Assert.Equal(4, results.Count);
        // Everything is in the bucket under the URLs' names; nothing in the node's own directory.
        Assert.Equal(results.Append(new Uri(uploadUrl).PathAndQuery).Select(p => p["/files/".Length..]).Order(StringComparer.Ordinal), s3.ObjectKeys(bucket));
        Assert.False(Directory.Exists(Path.Combine(dataA, "files")));

        var (nodeB, dataB) = await nodes.StartAsync("node-b");
        using var anonymousA = new HttpClient { BaseAddress = new Uri(nodeA.Url) };
        using var anonymousB = new HttpClient { BaseAddress = new Uri(nodeB.Url) };
        foreach (var path in results)
        {
            using var fromA = await anonymousA.GetAsync(path);
            using var fromB = await anonymousB.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, fromB.StatusCode);
            Assert.Equal("image/png", fromB.Content.Headers.ContentType?.MediaType);
            Assert.Equal("public, max-age=31536000, immutable", fromB.Headers.CacheControl?.ToString());
            Assert.Equal(fromA.Headers.ETag, fromB.Headers.ETag);
            var bytes = await fromB.Content.ReadAsByteArrayAsync();
            Assert.Equal(await fromA.Content.ReadAsByteArrayAsync(), bytes);
            Assert.Equal(64, TestImages.Decode(bytes).Width);
        }

        // Node B reads node A's work from the bucket: a range of a result, a conditional GET, and a task whose source
        // is A's result (its size checked at create, its pixels read by whichever node runs it).
        using (var range = new HttpRequestMessage(HttpMethod.Get, results[1]))
        {
            range.Headers.Range = new RangeHeaderValue(10, 29);
            using var partial = await anonymousB.SendAsync(range);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal((await anonymousA.GetByteArrayAsync(results[1]))[10..30], await partial.Content.ReadAsByteArrayAsync());
        }
        using (var conditional = new HttpRequestMessage(HttpMethod.Get, results[1]))
        {
            using var first = await anonymousB.GetAsync(results[1]);
            conditional.Headers.IfNoneMatch.Add(first.Headers.ETag!);
            using var notModified = await anonymousB.SendAsync(conditional);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }
        using var unknown = await anonymousB.GetAsync("/files/ab/ab0123456789abcdef0123456789abcd.png");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var clientB = nodeB.Client(key);
        var (status, upscale) = await clientB.PostJsonAsync("/v1/images/generations",
            new { model = "mj-v7-upscale", model_params = new { task_id = taskId, image_number = 2, type = "standard" } });
        Assert.True(status == 200, upscale.ToJsonString());
        var (upscaled, _) = await clientB.UnifiedDoneAsync(upscale["id"]!.GetValue<string>());
        Assert.Equal("completed", upscaled["status"]!.GetValue<string>());
        var upscaledPath = new Uri(upscaled["results"]![0]!.GetValue<string>()).PathAndQuery;
        Assert.Equal(128, TestImages.Decode(await anonymousA.GetByteArrayAsync(upscaledPath)).Width);
        Assert.Equal(6, s3.ObjectKeys(bucket).Count);
        Assert.False(Directory.Exists(Path.Combine(dataB, "files")));
        output.WriteLine(nodeB.Output);
    }

    [Fact]
    public async Task With_presigned_redirects_files_answer_302_to_a_url_the_bucket_serves()
    {
        var bucket = s3.NewBucket();
        using var nodes = new BucketNodes(await cluster.CreateDatabaseAsync(), s3, bucket);
        var (node, _) = await nodes.StartAsync("node-presigned", redirectToPresigned: true);
        var (_, key) = await BucketNodes.NewAccountAsync(node, credits: 10);
        using var client = node.Client(key);
        var png = TestImages.PatternPng(40, 30);
        var path = new Uri((await BucketNodes.UploadAsync(client, png))["url"]!.GetValue<string>()).PathAndQuery;

        using var noFollow = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(node.Url) };
        using var redirect = await noFollow.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.True(redirect.Headers.CacheControl?.NoStore);
        var location = redirect.Headers.Location!;
        Assert.StartsWith($"{s3.Endpoint}{bucket}{path["/files".Length..]}?", location.ToString(), StringComparison.Ordinal);
        // 15 minutes from the signing; the SDK counts from its own clock a moment later and rounds up to the second.
        var expires = int.Parse(System.Text.RegularExpressions.Regex.Match(location.Query, "X-Amz-Expires=([0-9]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires, 890, 901);

        // Followed, as a browser or `easel submit` would: the bucket's answer, with the object's stored headers.
        using var follow = new HttpClient { BaseAddress = new Uri(node.Url) };
        using var served = await follow.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(new Uri(s3.Endpoint, bucket).Authority, served.RequestMessage!.RequestUri!.Authority);
        Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=31536000, immutable", served.Headers.CacheControl?.ToString());
        Assert.Equal(png, await served.Content.ReadAsByteArrayAsync());

        using var malformed = await noFollow.GetAsync("/files/ab/not-a-key.png");
        Assert.Equal(HttpStatusCode.NotFound, malformed.StatusCode);

        // Readiness asks the bucket too; the data directory's files/ is not probed (the node has none).
        var (ready, readiness) = await follow.GetJsonAsync("/readyz");
        Assert.True(ready == 200, readiness.ToJsonString());
        Assert.Equal("ok", readiness["checks"]!["bucket"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_bucket_that_refuses_writes_fails_the_task_as_service_error_refunded_with_nothing_written()
    {
        await using var images = await ImageServer.StartAsync();
        var source = images.Serve("/a.png", TestImages.PatternPng(48, 48));
        var database = await cluster.CreateDatabaseAsync();
        using var nodes = new BucketNodes(database, s3, S3rverProcess.RefusingBucket);
        // The bucket exists and answers HEAD: the start-up check passes; only its writes are refused.
        var (node, _) = await nodes.StartAsync("node-refused");
        var (accountId, key) = await BucketNodes.NewAccountAsync(node, credits: 100);
        using var client = node.Client(key);

        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(source, canvas: 64));
        var (task, _) = await client.UnifiedDoneAsync(created["id"]!.GetValue<string>());

        Assert.Equal("failed", task["status"]!.GetValue<string>());
        Assert.Equal("service_error", task["error"]!["code"]!.GetValue<string>());
        Assert.True(task["results"] is null || task["results"]!.AsArray().Count == 0, task.ToJsonString());
        Assert.Empty(s3.ObjectKeys(S3rverProcess.RefusingBucket));
        Assert.Equal(0L, await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM tasks WHERE jsonb_array_length(result_keys) > 0"));
        using var admin = node.Client();
        var (_, ledger) = await admin.GetJsonAsync($"/admin/accounts/{accountId}/ledger?limit=100");
        Assert.Equal(1, ledger.Count("reserve"));
        Assert.Equal(1, ledger.Count("refund"));
        Assert.Equal(100m, ledger["balance"]!.GetValue<decimal>());
        // The log names the bucket's answer (the client's message does not).
        Assert.Contains("403 AccessDenied", node.Output, StringComparison.Ordinal);

        // An upload to it: the unified dialect's 503, not a 500.
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(TestImages.PatternPng(16, 16)) { Headers = { ContentType = new MediaTypeHeaderValue("image/png") } }, "file", "a.png");
        using var upload = await client.PostAsync("/v1/files", form);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, upload.StatusCode);
        var error = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("service_unavailable", error["code"]!.GetValue<string>());
        Assert.Empty(s3.ObjectKeys(S3rverProcess.RefusingBucket));
    }

    [Theory]
    [InlineData("no-such-bucket", "'no-such-bucket' at http://127.0.0.1")]
    [InlineData("", "Easel:Blobs:S3:Bucket is empty")]
    public async Task A_missing_bucket_stops_the_start_with_its_name(string bucket, string expected)
    {
        var settings = BucketNodes.Settings(await cluster.CreateDatabaseAsync(), s3.EaselSettings(bucket));
        settings["Easel__DataDirectory"] = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));
        settings["Easel__BootstrapKey"] = EaselHost.AdminKey;

        var (exitCode, printed) = await ServerProcess.RunOnceAsync(settings, "--urls", "http://127.0.0.1:0");

        Assert.NotEqual(0, exitCode);
        Assert.Contains(expected, printed, StringComparison.Ordinal);
        if (bucket.Length > 0)
        {
            Assert.Contains("does not exist", printed, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_unreachable_bucket_stops_the_start_saying_so()
    {
        var settings = BucketNodes.Settings(await cluster.CreateDatabaseAsync(), s3.EaselSettings(s3.NewBucket()));
        settings["Easel__Blobs__S3__Endpoint"] = "http://127.0.0.1:9/";
        settings["Easel__DataDirectory"] = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));

        var (exitCode, printed) = await ServerProcess.RunOnceAsync(settings, "--urls", "http://127.0.0.1:0");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("could not be reached", printed, StringComparison.Ordinal);
    }
}
