using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.ScaleOut;

/// <summary>
/// Three real Easel processes on one PostgreSQL database, hammering one key: together they admit exactly the key's
/// rate (burst plus refill over the window), where buckets per node would admit three times as much; every refusal is
/// the dialect's 429 with a Retry-After computed from the shared bucket.
/// </summary>
[Collection(PostgresCluster.Collection)]
public sealed class SharedRateLimitTests(PostgresCluster cluster)
{
    private const int PerMinute = 60;
    private const int Burst = 3;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task Three_nodes_racing_one_key_admit_exactly_its_rate()
    {
        await using var images = await ImageServer.StartAsync();
        var url = images.Serve("/a.png", TestImages.PatternPng(16, 16));
        var database = await cluster.CreateDatabaseAsync();
        var directories = new List<string>();
        var nodes = new List<ServerProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var directory = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));
                directories.Add(directory);
                nodes.Add(await ServerProcess.StartAsync(directory, EaselHost.AdminKey, new Dictionary<string, string>
                {
                    ["Easel__Database__Provider"] = "postgres",
                    ["Easel__Database__ConnectionString"] = database,
                    ["Easel__NodeId"] = $"node-{i}",
                    ["Easel__Engine"] = "passthrough",
                    ["Easel__Workers"] = "1",
                }));
            }
            using var admin = nodes[0].Client();
            var (_, account) = await admin.PostJsonAsync("/admin/accounts", new { name = "rated", credits = 100_000m });
            var (keyStatus, key) = await admin.PostJsonAsync($"/admin/accounts/{account["account_id"]}/keys",
                new { name = "one-a-second", rate_per_minute = PerMinute, burst = Burst });
            Assert.True(keyStatus == 201, key.ToJsonString());
            var clients = nodes.Select(n => n.Client(key["api_key"]!.GetValue<string>())).ToList();

            var unified = JsonSerializer.Serialize(Requests.UnifiedUploadPaint(url, canvas: 32));
            var classic = JsonSerializer.Serialize(Requests.ClassicUploadPaint(url, canvas: 32));
            var clock = Stopwatch.StartNew();
            // Two loops per node, each sending its next create as soon as the last one is answered, alternating dialects.
            var loops = clients.SelectMany(c => new[] { Hammer(c, "/v1/images/generations", unified), Hammer(c, "/model/v1/generation", classic) });
            var answers = (await Task.WhenAll(loops)).SelectMany(a => a).ToList();
            var stoppedSending = Window.TotalSeconds;
            var ended = clock.Elapsed.TotalSeconds;

            var admitted = answers.Count(a => a.Status == HttpStatusCode.OK);
            // Tokens: the burst, then one a second from the bucket's first take, which is after the clock started; the
            // loops keep the bucket empty, so at most one round trip's refill goes unspent at the end.
            var most = Burst + (int)Math.Floor(ended * PerMinute / 60.0);
            var least = Burst + (int)Math.Floor((stoppedSending - 1) * PerMinute / 60.0);
            Assert.InRange(admitted, least, most);
            Assert.True(admitted < 2 * (Burst + (stoppedSending * PerMinute / 60.0)), "a bucket per node would admit about three times the rate");
            Assert.True(answers.Count > 3 * admitted, $"the nodes must really race: {answers.Count} creates");
            Assert.All(answers.Where(a => a.Status != HttpStatusCode.OK), a =>
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, a.Status);
                // At one token a second, a refusal never waits more than a second.
                Assert.Equal(TimeSpan.FromSeconds(1), a.RetryAfter);
                Assert.True(a.Classic ? a.Body["error"]!["code"]!.GetValue<int>() == 4000429 : a.Body["error"]!["code"]!.GetValue<string>() == "rate_limit_exceeded", a.Body.ToJsonString());
            });
            Assert.Contains(answers, a => a.Classic && a.Status == HttpStatusCode.TooManyRequests);
            Assert.Contains(answers, a => !a.Classic && a.Status == HttpStatusCode.TooManyRequests);
            // Every node took part (which node wins a token is a race, so none is owed one): the one bucket is everybody's.
            Assert.All(clients, c => Assert.True(answers.Count(a => a.Node == c.BaseAddress) > admitted, $"{c.BaseAddress} answered too few creates to race"));
            Assert.Equal((long)admitted, await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM tasks"));
            Assert.Equal(1L, await PostgresHosts.ScalarAsync<long>(database, "SELECT COUNT(*) FROM key_buckets"));
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
            foreach (var directory in directories.Where(Directory.Exists))
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        async Task<List<Answer>> Hammer(HttpClient client, string path, string body)
        {
            var answers = new List<Answer>();
            var until = Stopwatch.StartNew();
            while (until.Elapsed < Window)
            {
                using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
                var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
                answers.Add(new Answer(client.BaseAddress!, path.StartsWith("/model", StringComparison.Ordinal), response.StatusCode, response.Headers.RetryAfter?.Delta, json));
            }
            return answers;
        }
    }

    private sealed record Answer(Uri Node, bool Classic, HttpStatusCode Status, TimeSpan? RetryAfter, JsonObject Body);
}
