using Easel.Core.Accounts;
using Easel.Core.Tasks;
using Easel.Storage;
using Microsoft.Extensions.Options;

namespace Easel.Server.Hosting;

/// <summary>
/// Runs before anything serves or works: migrates the schema, creates the first admin key on an empty store,
/// and puts back to pending the tasks this node was running when it last stopped. libvips is loaded and configured
/// first, so a server whose native imaging library cannot load fails at start, not at its first image.
/// </summary>
internal sealed class EaselStartup(
    IStorageSchema schema,
    AccountService accounts,
    ITaskStore tasks,
    Core.Blobs.IBlobStore blobs,
    NodeIdentity node,
    IOptions<EaselOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    Microsoft.AspNetCore.Hosting.Server.IServer server,
    ILoggerFactory loggerFactory,
    ILogger<EaselStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Easel.Imaging.ImagingDiagnostics.UseLogger(loggerFactory);
        if (blobs is Storage.Blobs.S3BlobStore bucket)
        {
            // A missing or unreachable bucket stops the start with its reason, before any task could fail on it.
            await bucket.CheckBucketAsync(cancellationToken);
        }
        var configured = options.Value.BootstrapKey;
        NewAccount? admin;
        await using (await schema.LockStartupAsync(cancellationToken))
        {
            await schema.MigrateAsync(time, cancellationToken);
            admin = await accounts.EnsureBootstrapAdminAsync(configured, cancellationToken);
        }
        if (admin is not null && string.IsNullOrWhiteSpace(configured))
        {
            // Shown once, on the console only: it is stored hashed and cannot be recovered later.
            await Console.Out.WriteLineAsync(
                $"""

                 Easel created an admin key (shown only now; store it safely):
                     {admin.ApiKeySecret}

                """);
        }
        else if (admin is not null)
        {
            logger.LogInformation("Created the admin account {AccountId} with the configured bootstrap key", admin.Account.Id);
        }

        // Once listening: where a newcomer opens the studio (the addresses are known only then).
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
            // Through the log, so a JSON log stays JSON line by line.
            foreach (var address in addresses)
            {
                logger.LogInformation("Easel is serving {Address}: the studio is at {Studio} (sign in with a key), the API documents at {Docs}",
                    address, address.TrimEnd('/') + "/", address.TrimEnd('/') + "/docs");
            }
        });

        var released = await tasks.ReleaseLeasesAsync(node.Id, cancellationToken);
        if (released > 0)
        {
            logger.LogWarning("Resuming {Count} tasks that were running when this node last stopped", released);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
