using Easel.Core.Blobs;
using Easel.Server.Tests.Infrastructure;
using Easel.Storage.Blobs;
using Easel.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Easel.Server.Tests.Blobs;

/// <summary>
/// A store that takes a task's first two images and refuses the third (as a bucket does when its quota runs out
/// mid-task): the task fails service_error, refunded, and the two images already stored are deleted, so no blob is
/// left that no task owns. The store is the real file store with a refusal after N saves (BlobStoreException, the
/// contract's failure).
/// </summary>
public sealed class AllOrNoneSaveTests
{
    [Fact]
    public async Task A_save_refused_mid_task_fails_it_refunded_and_deletes_the_images_already_stored()
    {
        await using var images = await ImageServer.StartAsync();
        var source = images.Serve("/a.png", TestImages.PatternPng(48, 48));
        using var host = new EaselHost();
        var files = Path.Combine(host.DataDirectory, "files");
        var store = new RefusingAfter(new FileBlobStore(files), allowed: 2);
        using var factory = host.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<IBlobStore>(store)));
        using var admin = factory.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", EaselHost.AdminKey);
        var (_, account) = await admin.PostJsonAsync("/admin/accounts", new { name = "quota", credits = 100 });
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", account["api_key"]!.GetValue<string>());

        var (_, created) = await client.PostJsonAsync("/v1/images/generations", Requests.UnifiedUploadPaint(source, canvas: 64));
        var (task, _) = await client.UnifiedDoneAsync(created["id"]!.GetValue<string>());

        Assert.Equal("failed", task["status"]!.GetValue<string>());
        Assert.Equal("service_error", task["error"]!["code"]!.GetValue<string>());
        Assert.Equal(3, store.Attempts);
        Assert.Empty(Directory.Exists(files) ? Directory.EnumerateFiles(files, "*", SearchOption.AllDirectories) : []);
        var (_, ledger) = await admin.GetJsonAsync($"/admin/accounts/{account["account_id"]!.GetValue<string>()}/ledger?limit=100");
        Assert.Equal(1, ledger.Count("refund"));
        Assert.Equal(100m, ledger["balance"]!.GetValue<decimal>());
    }

    private sealed class RefusingAfter(IBlobStore inner, int allowed) : IBlobStore
    {
        private int _attempts;

        public int Attempts => _attempts;

        public Task<string> SaveAsync(ReadOnlyMemory<byte> content, string extension, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _attempts) > allowed
                ? throw new BlobStoreException("The bucket 'test' refused to store a blob: 403 QuotaExceeded")
                : inner.SaveAsync(content, extension, cancellationToken);

        public Task<byte[]?> ReadAsync(string key, CancellationToken cancellationToken) => inner.ReadAsync(key, cancellationToken);

        public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);
    }
}
