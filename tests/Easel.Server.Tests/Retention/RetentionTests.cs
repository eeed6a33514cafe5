using Easel.Server.Tests.Infrastructure;
using Easel.Server.Tests.Observability;

namespace Easel.Server.Tests.Retention;

/// <summary>
/// Easel:Retention in the embedded mode: the sweeper deletes the files of tasks finished more than Days ago and nothing
/// another task still holds; the tasks and their ledger stay. Age is made by moving finished_at back in the SQLite
/// file (the sweeper compares it with the host's clock), so the test waits for no day to pass.
/// </summary>
public sealed class RetentionTests
{
    private static Dictionary<string, string?> Settings(string? days = "7") => new()
    {
        ["Easel:Engine"] = "passthrough",
        ["Easel:Retention:Days"] = days,
        ["Easel:Retention:Interval"] = "00:00:00.200",
    };

    [Fact]
    public async Task The_sweep_removes_exactly_the_old_tasks_files_and_keeps_what_newer_tasks_hold()
    {
        using var host = new EaselHost(Settings());
        var (accountId, client, _) = await host.CreateAccountAsync(new { name = "keeper", credits = 1000 });
        using var scraper = host.CreateClient();
        var scenario = await TaskFileScenario.BuildAsync(client);
        var files = TaskFileScenario.BlobFileCount(host.DataDirectory);
        var ledgerRows = (await host.LedgerAsync(accountId))["data"]!.AsArray().Count;

        // A and B finished eight days ago; C, D and F (which hold some of their blobs) just now.
        await ExecuteAsync(host.DataDirectory,
            $"UPDATE tasks SET finished_at = finished_at - {TimeSpan.FromDays(8).TotalMilliseconds} WHERE id IN ('{scenario.A}', '{scenario.B}')");
        await WaitUntilAsync(async () => await Database.ScalarAsync<long>(host.DataDirectory, "SELECT COUNT(*) FROM tasks WHERE files_deleted_at IS NOT NULL") == 2);
        // The release and the deletion are two steps; the outbox empties once the files are gone.
        await WaitUntilAsync(async () => await Database.ScalarAsync<long>(host.DataDirectory, "SELECT COUNT(*) FROM blob_deletions") == 0);

        await scenario.AssertAAndBReleasedAsync(client);
        // A's results 1 and 3, A's upload, B's four results: seven files, and no other.
        Assert.Equal(files - 7, TaskFileScenario.BlobFileCount(host.DataDirectory));
        // The tasks keep their ledger: nothing was added or removed.
        Assert.Equal(ledgerRows, (await host.LedgerAsync(accountId))["data"]!.AsArray().Count);
        Assert.Equal(2, (await host.LedgerAsync(accountId)).Count("reserve", scenario.A) + (await host.LedgerAsync(accountId)).Count("charge", scenario.A));

        var metrics = await MetricsTests.ScrapeAsync(scraper);
        Assert.Equal(2, metrics.Value("easel_files_tasks_released_total", ("trigger", "retention")));
        Assert.Equal(7, metrics.Value("easel_files_blobs_deleted_total", ("trigger", "retention")));
        // Every retention metric README documents is served (MetricsTests leaves these to this test).
        Assert.All(MetricsTests.DocumentedMetricNames().Where(n => n.StartsWith("easel_files_", StringComparison.Ordinal)),
            name => Assert.True(metrics.Families.ContainsKey(name), $"README documents {name}; /metrics has no such family"));

        // Once C, D and F are old too, the blobs they held go with them.
        await ExecuteAsync(host.DataDirectory, $"UPDATE tasks SET finished_at = finished_at - {TimeSpan.FromDays(8).TotalMilliseconds} WHERE files_deleted_at IS NULL");
        await WaitUntilAsync(async () => await Database.ScalarAsync<long>(host.DataDirectory, "SELECT COUNT(*) FROM tasks WHERE files_deleted_at IS NULL") == 0);
        await WaitUntilAsync(async () => await Database.ScalarAsync<long>(host.DataDirectory, "SELECT COUNT(*) FROM blob_deletions") == 0);
        Assert.Equal(0, TaskFileScenario.BlobFileCount(host.DataDirectory));
    }

    [Fact]
    public async Task An_upload_no_task_read_expires_with_retention_and_one_a_task_read_stays_with_that_task()
    {
        using var host = new EaselHost(Settings());
        var (_, client, _) = await host.CreateAccountAsync(new { name = "uploader", credits = 1000 });
        var unused = await TaskFileScenario.UploadAsync(client, TestImages.PatternPng(16, 16));
        var used = await TaskFileScenario.UploadAsync(client, TestImages.PatternPng(20, 20));
        var fresh = await TaskFileScenario.UploadAsync(client, TestImages.PatternPng(24, 24));
        var task = await TaskFileScenario.UploadPaintAsync(client, used);
        await TaskFileScenario.ResultsAsync(client, task);
        Assert.Equal(3L, await Database.ScalarAsync<long>(host.DataDirectory, "SELECT COUNT(*) FROM uploads"));

        // The first two were uploaded eight days ago; the task that read the second finished just now.
        await ExecuteAsync(host.DataDirectory,
            $"UPDATE uploads SET created_at = created_at - {TimeSpan.FromDays(8).TotalMilliseconds} WHERE blob_key IN ('{KeyOf(unused)}', '{KeyOf(used)}')");
        await WaitUntilAsync(async () => await TaskFileScenario.FileStatusAsync(client, unused) == System.Net.HttpStatusCode.NotFound);
        await WaitUntilAsync(async () => await Database.ScalarAsync<long>(host.DataDirectory, "SELECT COUNT(*) FROM blob_deletions") == 0);

        Assert.Equal(System.Net.HttpStatusCode.OK, await TaskFileScenario.FileStatusAsync(client, used));
        Assert.Equal(System.Net.HttpStatusCode.OK, await TaskFileScenario.FileStatusAsync(client, fresh));
        Assert.Equal(0L, await Database.ScalarAsync<long>(host.DataDirectory, $"SELECT COUNT(*) FROM uploads WHERE blob_key = '{KeyOf(unused)}'"));

        // Once the task is old too, the upload it read goes with its files, and its row with it.
        await ExecuteAsync(host.DataDirectory, $"UPDATE tasks SET finished_at = finished_at - {TimeSpan.FromDays(8).TotalMilliseconds} WHERE id = '{task}'");
        await WaitUntilAsync(async () => await TaskFileScenario.FileStatusAsync(client, used) == System.Net.HttpStatusCode.NotFound);
        await WaitUntilAsync(async () => await Database.ScalarAsync<long>(host.DataDirectory, "SELECT COUNT(*) FROM uploads") == 1);
        Assert.Equal(System.Net.HttpStatusCode.OK, await TaskFileScenario.FileStatusAsync(client, fresh));
    }

    private static string KeyOf(string fileUrl) => new Uri(fileUrl).AbsolutePath["/files/".Length..];

    [Fact]
    public async Task A_blob_listed_before_a_crash_is_deleted_by_the_next_sweep()
    {
        // The state a crash between the release's commit and the deletion leaves: the task marked, the blob listed.
        using var host = new EaselHost(Settings(days: null));
        var (_, client, _) = await host.CreateAccountAsync(new { name = "crashy", credits = 1000 });
        var upload = await TaskFileScenario.UploadAsync(client, TestImages.PatternPng(16, 16));
        var key = new Uri(upload).AbsolutePath["/files/".Length..];
        await ExecuteAsync(host.DataDirectory, $"INSERT INTO blob_deletions (blob_key, queued_at) VALUES ('{key}', 0)");

        // Retention is off (no Days), but listed blobs are still deleted: they belong to no task any more.
        await WaitUntilAsync(async () => await Database.ScalarAsync<long>(host.DataDirectory, "SELECT COUNT(*) FROM blob_deletions") == 0);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, await TaskFileScenario.FileStatusAsync(client, upload));
    }

    [Theory]
    [InlineData("Days", "0")]
    [InlineData("Days", "-3")]
    [InlineData("Interval", "00:00:00")]
    [InlineData("BatchSize", "0")]
    public void A_retention_setting_out_of_range_stops_the_start(string name, string value)
    {
        using var host = new EaselHost(new() { [$"Easel:Retention:{name}"] = value });
        var refused = Assert.ThrowsAny<Exception>(() => host.CreateClient());
        Assert.Contains($"Easel:Retention:{name}", refused.ToString(), StringComparison.Ordinal);
    }

    private static async Task ExecuteAsync(string dataDirectory, string sql) =>
        Assert.True(await Database.ExecuteAsync(dataDirectory, sql) > 0, sql);

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the sweeper did not get there in time");
            await Task.Delay(100);
        }
    }
}
