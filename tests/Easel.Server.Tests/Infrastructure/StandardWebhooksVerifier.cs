using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Easel.Server.Tests.Infrastructure;

/// <summary>
/// The npm package standardwebhooks (pinned in tests/StandardWebhooks/package-lock.json) run by node as the
/// reference verifier of callbacks: what an off-the-shelf receiver would accept. .ci/install-packages runs `npm ci`
/// there; on a developer machine without node or that install the tests are skipped, on CI (CI=true) they fail.
/// </summary>
internal static class StandardWebhooksVerifier
{
    public const string Folder = "tests/StandardWebhooks";

    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why the verifier cannot run here, or null when it can.</summary>
    public static string? Missing()
    {
        if (FindOnPath("node") is null)
        {
            return "node is not installed (it comes with the machine; Debian's nodejs package also provides it).";
        }
        var directory = Locate();
        if (directory is null)
        {
            return $"{Folder}/verify.mjs was not found above {AppContext.BaseDirectory}.";
        }
        return File.Exists(Path.Combine(directory, "node_modules", "standardwebhooks", "package.json"))
            ? null
            : $"the standardwebhooks package is not installed: run `npm ci` in {Folder} (.ci/install-packages does).";
    }

    /// <summary>Asks the library about each message, in order; a failure to run node at all throws.</summary>
    public static async Task<IReadOnlyList<Verdict>> VerifyAsync(IReadOnlyList<Message> messages)
    {
        var missing = Missing();
        if (missing is not null)
        {
            throw new InvalidOperationException(missing);
        }
        var start = new ProcessStartInfo(FindOnPath("node")!)
        {
            ArgumentList = { "verify.mjs" },
            WorkingDirectory = Locate()!,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(messages));
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"node verify.mjs did not finish within 30 s: {await errors}");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"node verify.mjs exited with {process.ExitCode}: {await errors}");
        }
        var verdicts = JsonSerializer.Deserialize<List<Verdict>>(await output)
            ?? throw new InvalidOperationException("node verify.mjs printed no verdicts");
        Assert.Equal(messages.Count, verdicts.Count);
        return verdicts;
    }

    private static string? Locate()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, Folder);
            if (File.Exists(Path.Combine(candidate, "verify.mjs")))
            {
                return candidate;
            }
        }
        return null;
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':')
            .Select(directory => Path.Combine(directory, tool))
            .FirstOrDefault(File.Exists);

    /// <summary>One delivery as a receiver got it: the account's secret, the raw body and every header.</summary>
    public sealed record Message(
        [property: JsonPropertyName("secret")] string Secret,
        [property: JsonPropertyName("body_base64")] string BodyBase64,
        [property: JsonPropertyName("headers")] IReadOnlyDictionary<string, string> Headers)
    {
        /// <summary>The body as the bytes Easel sent (UTF-8), so node verifies what came off the wire.</summary>
        public static Message Of(string secret, string body, IReadOnlyDictionary<string, string> headers) =>
            new(secret, Convert.ToBase64String(Encoding.UTF8.GetBytes(body)), headers);
    }

    public sealed record Verdict(
        [property: JsonPropertyName("verified")] bool Verified,
        [property: JsonPropertyName("error")] string? Error);
}

/// <summary>Skipped on a developer machine without node or the installed package; run (and failing) on CI without them.</summary>
internal sealed class StandardWebhooksFactAttribute : FactAttribute
{
    public StandardWebhooksFactAttribute()
    {
        var missing = StandardWebhooksVerifier.Missing();
        if (missing is not null && !StandardWebhooksVerifier.OnCi)
        {
            Skip = missing;
        }
    }
}
