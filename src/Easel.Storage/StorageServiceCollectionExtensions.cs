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
    /// <summary>The embedded default: tasks and accounts in data/easel.db (SQLite, WAL), files under data/files.</summary>
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
        services.AddSingleton<IBlobStore>(new FileBlobStore(Path.Combine(root, "files")));
        return services;
    }

    /// <summary>
    /// Scale-out mode: tasks, accounts and callbacks in one PostgreSQL database that several nodes share; files
    /// still under data/files, so every node must see the same data directory (a shared volume).
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
        services.AddSingleton<IKeyRateLimiter, PostgresKeyRateLimiter>();
        services.AddSingleton<ICallbackStore, PostgresCallbackStore>();
        services.AddSingleton<ITaskFileStore, PostgresTaskFileStore>();
        services.AddSingleton<Core.Engines.Upstream.IUpstreamJobStore, PostgresUpstreamJobStore>();
        services.AddSingleton<IBlobStore>(new FileBlobStore(Path.Combine(root, "files")));
        return services;
    }
}
