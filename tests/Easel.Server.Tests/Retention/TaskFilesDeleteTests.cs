using System.Net;
using Easel.Server.Tests.Infrastructure;
using Easel.Server.Tests.Observability;
using Easel.Testing;

namespace Easel.Server.Tests.Retention;

/// <summary>
/// DELETE /v1/tasks/{id}/files and DELETE /model/v1/generation/task/{id}/files (Easel extensions): a client deletes its
/// own finished task's files, never a blob another of its tasks holds; idempotent; another account's task is a 404
/// and an unfinished one a 409, each in the dialect's own shape; the task and its ledger stay.
/// </summary>
public sealed class TaskFilesDeleteTests
{
    [Fact]
    public async Task A_client_deletes_its_tasks_files_in_either_dialect_and_never_a_blob_another_task_holds()
    {
        using var host = new EaselHost(new() { ["Easel:Engine"] = "passthrough" });
        var (accountId, client, _) = await host.CreateAccountAsync(new { name = "owner", credits = 1000 });
        var scenario = await TaskFileScenario.BuildAsync(client);
        var files = TaskFileScenario.BlobFileCount(host.DataDirectory);
        var ledgerRows = (await host.LedgerAsync(accountId))["data"]!.AsArray().Count;

        // B through the unified dialect: its results go, its upload stays (C holds it).
        var (status, b) = await client.SendJsonAsync(HttpMethod.Delete, $"/v1/tasks/{scenario.B}/files", "");
        Assert.Equal(200, status);
        Assert.Equal("completed", b["status"]!.GetValue<string>());
        Assert.False(b.ContainsKey("results"), b.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, await TaskFileScenario.FileStatusAsync(client, scenario.UploadB));
        // Again: the same answer, nothing more deleted.
        var (again, _) = await client.SendJsonAsync(HttpMethod.Delete, $"/v1/tasks/{scenario.B}/files", "");
        Assert.Equal(200, again);

        // A through the classic dialect.
        var (classicStatus, a) = await client.SendJsonAsync(HttpMethod.Delete, $"/model/v1/generation/task/{scenario.A}/files", "");
        Assert.Equal(200, classicStatus);
        Assert.Equal("completed", a["status"]!.GetValue<string>());
        Assert.False(a.ContainsKey("output"), a.ToJsonString());
        await scenario.AssertAAndBReleasedAsync(client);
        Assert.Equal(files - 7, TaskFileScenario.BlobFileCount(host.DataDirectory));

        // C was B's upload's last holder: with C's files, the upload goes too.
        Assert.Equal(200, (await client.SendJsonAsync(HttpMethod.Delete, $"/v1/tasks/{scenario.C}/files", "")).Status);
        Assert.Equal(HttpStatusCode.NotFound, await TaskFileScenario.FileStatusAsync(client, scenario.UploadB));
        Assert.Equal(files - 7 - 5, TaskFileScenario.BlobFileCount(host.DataDirectory));

        Assert.Equal(ledgerRows, (await host.LedgerAsync(accountId))["data"]!.AsArray().Count);
        using var scraper = host.CreateClient();
        var metrics = await MetricsTests.ScrapeAsync(scraper);
        Assert.Equal(3, metrics.Value("easel_files_tasks_released_total", ("trigger", "client")));
        Assert.Equal(12, metrics.Value("easel_files_blobs_deleted_total", ("trigger", "client")));
    }

    [Fact]
    public async Task Another_accounts_task_is_not_found_and_an_unfinished_one_is_a_conflict_in_each_dialects_shape()
    {
        await using var images = await ImageServer.StartAsync();
        var release = new TaskCompletionSource();
        var png = TestImages.PatternPng(16, 16);
        var held = images.Handle("/held.png", async http =>
        {
            await release.Task;
            await http.Response.Body.WriteAsync(png);
        });
        using var host = new EaselHost(new() { ["Easel:Engine"] = "passthrough" });
        var (_, owner, _) = await host.CreateAccountAsync(new { name = "owner", credits = 1000 });
        var (_, stranger, _) = await host.CreateAccountAsync(new { name = "stranger", credits = 1000 });
        var done = await TaskFileScenario.UploadPaintAsync(owner, images.Serve("/a.png", png));
        var results = await TaskFileScenario.ResultsAsync(owner, done);

        var (unified, unifiedBody) = await stranger.SendJsonAsync(HttpMethod.Delete, $"/v1/tasks/{done}/files", "");
        Assert.Equal(404, unified);
        Assert.Equal("resource_not_found", unifiedBody["error"]!["code"]!.GetValue<string>());
        var (classic, classicBody) = await stranger.SendJsonAsync(HttpMethod.Delete, $"/model/v1/generation/task/{done}/files", "");
        Assert.Equal(404, classic);
        Assert.Equal("failed", classicBody["status"]!.GetValue<string>());
        Assert.Equal(4000404, classicBody["error"]!["code"]!.GetValue<int>());
        foreach (var url in results)
        {
            Assert.Equal(HttpStatusCode.OK, await TaskFileScenario.FileStatusAsync(owner, url));
        }

        var pending = await TaskFileScenario.UploadPaintAsync(owner, held);
        var (conflict, conflictBody) = await owner.SendJsonAsync(HttpMethod.Delete, $"/v1/tasks/{pending}/files", "");
        Assert.Equal(409, conflict);
        Assert.Equal("invalid_request_error", conflictBody["error"]!["type"]!.GetValue<string>());
        var (classicConflict, classicConflictBody) = await owner.SendJsonAsync(HttpMethod.Delete, $"/model/v1/generation/task/{pending}/files", "");
        Assert.Equal(409, classicConflict);
        Assert.Equal(4000409, classicConflictBody["error"]!["code"]!.GetValue<int>());
        release.SetResult();
        // It then runs as if nothing had been asked.
        Assert.Equal(4, (await TaskFileScenario.ResultsAsync(owner, pending)).Count);
    }
}
