using Easel.Core.Accounts;
using Easel.Core.Blobs;
using Easel.Core.Callbacks;
using Easel.Core.Tasks;
using Easel.Storage.Blobs;
using Easel.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Easel.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>The embedded default: tasks and accounts in data/easel.db (SQLite, WAL), files under data/files.</summary>
    public static IServiceCollection AddEaselSqliteStorage(this IServiceCollection services, string dataDirectory)
    {
        var root = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(root);
        services.AddSingleton(new SqliteDatabase(Path.Combine(root, "easel.db")));
        services.AddSingleton<ITaskStore>(sp => new SqliteTaskStore(
            sp.GetRequiredService<SqliteDatabase>(), sp.GetService<CallbackHandoff>(), sp.GetService<CallbackOptions>(), sp.GetService<TimeProvider>()));
        services.AddSingleton<IAccountStore, SqliteAccountStore>();
        services.AddSingleton<ICallbackStore, SqliteCallbackStore>();
        services.AddSingleton<IBlobStore>(new FileBlobStore(Path.Combine(root, "files")));
        return services;
    }
}
