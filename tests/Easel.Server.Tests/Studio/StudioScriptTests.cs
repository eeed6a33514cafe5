using System.Diagnostics;

namespace Easel.Server.Tests.Studio;

/// <summary>
/// The studio's own logic that needs no browser (mask to polygons, canvas to img_pos, request bodies, the event-stream
/// parser) is tested by node's test runner (tests/Studio/*.test.mjs, node:test only, no packages): run here, so the one
/// test command of README runs them too.
/// </summary>
public sealed class StudioScriptTests
{
    [Fact]
    public async Task The_studio_modules_pass_their_node_tests()
    {
        var root = RepositoryRoot();
        var start = new ProcessStartInfo("node")
        {
            ArgumentList = { "--test", "--test-reporter=spec", "tests/Studio/" },
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(limit.Token);
        var report = await output + await errors;

        Assert.True(process.ExitCode == 0, report);
        Assert.Matches(@"pass [1-9]", report);
        Assert.Contains("fail 0", report, StringComparison.Ordinal);
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Easel.slnx")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("the repository root (Easel.slnx) was not found");
    }
}
