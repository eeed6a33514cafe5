using Easel.Core.Accounts;
using Easel.Core.Blobs;
using Easel.Core.Callbacks;
using Easel.Core.Retention;
using Easel.Core.Tasks;
using Easel.Storage.Blobs;
using Easel.Storage.Postgres;
using Easel.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Easel.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>The embedded default: tasks and accounts in data/easel.db (SQLite, WAL); blobs are <see cref="AddEaselBlobStore"/>'s.</summary>
    public static IServiceCollection AddEaselSqliteStorage(this IServiceCollection services, string dataDirectory)
    {
        var root = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(root);
        services.AddSingleton(new SqliteDatabase(Path.Combine(root, "easel.db")));
        services.AddSingleton<IStorageSchema, SqliteSchema>();
        services.AddSingleton<ITaskStore>(sp => new SqliteTaskStore(
            sp.GetRequiredService<SqliteDatabase>(), sp.GetService<CallbackHandoff>(), sp.GetService<CallbackOptions>(), sp.GetService<TimeProvider>()));
        services.AddSingleton<IAccountStore, SqliteAccountStore>();
        // One node: its buckets in memory are the key's only ones.
        services.AddSingleton<IKeyRateLimiter>(sp => new KeyRateLimiter(sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddSingleton<ICallbackStore, SqliteCallbackStore>();
        services.AddSingleton<ITaskFileStore, SqliteTaskFileStore>();
        services.AddSingleton<Core.Engines.Upstream.IUpstreamJobStore, SqliteUpstreamJobStore>();
        return services;
    }

    /// <summary>
    /// Scale-out mode: tasks, accounts and callbacks in one PostgreSQL database that several nodes share. Blobs are
    /// <see cref="AddEaselBlobStore"/>'s: a bucket, or files every node must see (a shared volume).
    /// </summary>
    public static IServiceCollection AddEaselPostgresStorage(this IServiceCollection services, string connectionString, string dataDirectory)
    {
        var root = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(root);
        // Parsed now, so a malformed string stops the start with its reason rather than at the first request.
        services.AddSingleton(new PostgresDatabase(connectionString));
        services.AddSingleton<IStorageSchema, PostgresSchema>();
        services.AddSingleton(sp => new PostgresWakeups(
            sp.GetRequiredService<PostgresDatabase>(), sp.GetRequiredService<WorkSignal>(), sp.GetService<ILogger<PostgresWakeups>>()));
        services.AddSingleton<ITaskStore>(sp => new PostgresTaskStore(
            sp.GetRequiredService<PostgresDatabase>(), sp.GetService<CallbackHandoff>(), sp.GetService<CallbackOptions>(), sp.GetRequiredService<PostgresWakeups>(), sp.GetService<TimeProvider>()));
        services.AddSingleton<IAccountStore, PostgresAccountStore>();
        // Several nodes: a key's bucket is a row every node takes from.
        services.AddSingleton<PostgresKeyRateLimiter>();
        services.AddSingleton<IKeyRateLimiter>(provider => provider.GetRequiredService<PostgresKeyRateLimiter>());
        services.AddSingleton<ICallbackStore, PostgresCallbackStore>();
        services.AddSingleton<ITaskFileStore, PostgresTaskFileStore>();
        services.AddSingleton<Core.Engines.Upstream.IUpstreamJobStore, PostgresUpstreamJobStore>();
        return services;
    }

    /// <summary>
    /// Uploads and results: files under data/files (the default), or an S3-compatible bucket (Easel:Blobs:Provider
    /// s3), which also serves presigned URLs when Easel:Blobs:S3:RedirectToPresigned is set. The bucket is checked at
    /// start by <see cref="S3BlobStore.CheckBucketAsync"/> (the server's start-up), not here.
    /// </summary>
    public static IServiceCollection AddEaselBlobStore(this IServiceCollection services, BlobOptions blobs, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        if (blobs.UsesS3)
        {
            // The client is a singleton of its own, so the container disposes it (its connection pool) at the end.
            services.AddSingleton<Amazon.S3.IAmazonS3>(_ => S3Clients.Create(blobs.S3));
            services.AddSingleton(sp => new S3BlobStore(sp.GetRequiredService<Amazon.S3.IAmazonS3>(), blobs.S3));
            services.AddSingleton<IBlobStore>(sp => sp.GetRequiredService<S3BlobStore>());
            if (blobs.S3.RedirectToPresigned)
            {
                services.AddSingleton<IPresignedBlobUrls>(sp => sp.GetRequiredService<S3BlobStore>());
            }
        }
        else
        {
            services.AddSingleton<IBlobStore>(new FileBlobStore(Path.Combine(Path.GetFullPath(dataDirectory), "files")));
        }
        return services;
    }
}
