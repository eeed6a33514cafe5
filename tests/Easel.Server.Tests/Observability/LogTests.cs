using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Observability;

/// <summary>The log of the real server process, as an operator's collector would read it from stdout.</summary>
public sealed class LogTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "easel-tests", Guid.NewGuid().ToString("N"));

    private static readonly Dictionary<string, string> JsonAtTrace = new()
    {
        ["Easel__Logging__Format"] = "json",
        // Everything, ASP.NET Core's own logging included, at its most talkative: no level may leak a secret.
        ["Logging__LogLevel__Default"] = "Trace",
        ["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace",
        ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace",
    };

    [Fact]
    public async Task No_key_key_hash_webhook_secret_or_signature_is_ever_logged()
    {
        await using var images = await ImageServer.StartAsync();
        await using var receiver = await CallbackReceiver.StartAsync();
        using var server = await ServerProcess.StartAsync(_data, EaselHost.AdminKey, JsonAtTrace);
        using var admin = server.Client();

        var (status, account) = await admin.PostJsonAsync("/admin/accounts", new { name = "secretive", credits = 100 });
        Assert.Equal(201, status);
        var accountId = account["account_id"]!.GetValue<string>();
        var firstKey = account["api_key"]!.GetValue<string>();
        var webhookSecret = account["webhook_secret"]!.GetValue<string>();
        var (keyStatus, key) = await admin.PostJsonAsync($"/admin/accounts/{accountId}/keys", new { name = "second" });
        Assert.Equal(201, keyStatus);
        var secondKey = key["api_key"]!.GetValue<string>();

        using var first = server.Client(firstKey);
        Assert.Equal(200, (await first.GetJsonAsync("/v1/account")).Status);
        using var wrong = server.Client("sk-not-a-real-key-but-still-a-secret-0123456789");
        Assert.Equal(401, (await wrong.GetJsonAsync("/v1/account")).Status);

        using var second = server.Client(secondKey);
        var body = Requests.ClassicUploadPaint(images.Serve("/a.png", TestImages.PatternPng(16, 16)), canvas: 32);
        body["callback"] = receiver.Url;
        var (created, task) = await second.PostJsonAsync("/model/v1/generation", body);
        Assert.Equal(200, created);
        await second.ClassicDoneAsync(task["id"]!.GetValue<string>());
        var signature = Assert.Single(await receiver.WaitForAsync(1, TimeSpan.FromSeconds(15))).Signature;
        await WaitForLogAsync(server, $"\"AccountId\":\"{accountId}\"");
        await Task.Delay(300); // the delivery's own log lines, if any, are written after the receiver answered

        var secrets = new List<string> { EaselHost.AdminKey, firstKey, secondKey, "sk-not-a-real-key-but-still-a-secret-0123456789", webhookSecret, signature };
        secrets.AddRange(signature.Split(',').Select(p => p.Split('=', 2)[1]).Where(v => v.Length > 16)); // the v1 MAC alone
        foreach (var k in new[] { EaselHost.AdminKey, firstKey, secondKey })
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(k));
            secrets.AddRange([Convert.ToHexString(hash), Convert.ToHexStringLower(hash), Convert.ToBase64String(hash)]);
        }
        var output = server.Output;
        Assert.Contains("\"Category\":\"Easel.Requests\"", output, StringComparison.Ordinal); // the log was captured at all
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Json_log_lines_parse_and_the_request_line_carries_the_id_the_response_returned()
    {
        using var server = await ServerProcess.StartAsync(_data, EaselHost.AdminKey, new Dictionary<string, string> { ["Easel__Logging__Format"] = "json" });
        using var admin = server.Client();
        using var anonymous = new HttpClient { BaseAddress = new Uri(server.Url) };
        using var response = await admin.GetAsync("/v1/account");
        var requestId = Assert.Single(response.Headers.GetValues("X-Request-Id"));
        var accountId = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["account_id"]!.GetValue<string>();
        using var refused = await anonymous.GetAsync("/v1/account");
        var refusedId = Assert.Single(refused.Headers.GetValues("X-Request-Id"));
        await WaitForLogAsync(server, refusedId);

        var lines = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var entries = lines.Select(line =>
        {
            try
            {
                return JsonNode.Parse(line)!.AsObject();
            }
            catch (JsonException e)
            {
                throw new Xunit.Sdk.XunitException($"a log line is not JSON ({e.Message}): {line}");
            }
        }).ToList();
        Assert.All(entries, e => Assert.NotNull(e["Category"]));

        var line = Assert.Single(entries, e => e["Category"]!.GetValue<string>() == "Easel.Requests" && e["State"]?["RequestId"]?.GetValue<string>() == requestId);
        var state = line["State"]!;
        Assert.Equal("GET", state["Method"]!.GetValue<string>());
        Assert.Equal("/v1/account", state["Route"]!.GetValue<string>());
        Assert.Equal(200, state["Status"]!.GetValue<int>());
        Assert.True(state["ElapsedMs"]!.GetValue<double>() >= 0);
        Assert.Equal(accountId, state["AccountId"]!.GetValue<string>());
        var anonymousLine = Assert.Single(entries, e => e["State"]?["RequestId"]?.GetValue<string>() == refusedId);
        Assert.Equal(401, anonymousLine["State"]!["Status"]!.GetValue<int>());
        Assert.Equal("-", anonymousLine["State"]!["AccountId"]!.GetValue<string>());
        // Exactly one line per request: ASP.NET Core's own request logging is off.
        Assert.DoesNotContain(entries, e => e["Message"]?.GetValue<string>().StartsWith("Request starting", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Text_logs_are_one_readable_line_per_request()
    {
        using var server = await ServerProcess.StartAsync(_data, EaselHost.AdminKey);
        using var admin = server.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/account");
        request.Headers.Add("X-Request-Id", "text-log-check-1");
        using var response = await admin.SendAsync(request);
        Assert.Equal("text-log-check-1", Assert.Single(response.Headers.GetValues("X-Request-Id")));
        await WaitForLogAsync(server, "text-log-check-1");

        var line = Assert.Single(server.Output.Split('\n'), l => l.Contains("text-log-check-1", StringComparison.Ordinal));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info: Easel\.Requests\[0\] GET /v1/account 200 in [\d.]+ ms request text-log-check-1 account acct_\w+", line.TrimEnd('\r'));
        Assert.False(server.Output.TrimStart().StartsWith('{'), "the default format is text");
    }

    private static async Task WaitForLogAsync(ServerProcess server, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!server.Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the log never showed {text}:\n{server.Output}");
            await Task.Delay(25);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
