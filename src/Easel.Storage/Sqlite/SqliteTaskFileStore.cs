using System.Data;
using System.Data.Common;

namespace Easel.Storage.Sqlite;

/// <summary>The embedded mode: one process, one writer; the sweeper's turn is always this process's.</summary>
public sealed class SqliteTaskFileStore(SqliteDatabase database) : TaskFileStore(database, StoreDialect.Sqlite)
{
    private protected override Task LockBlobAsync(DbConnection connection, IDbTransaction transaction, string blobKey) => Task.CompletedTask;

    public override Task<IAsyncDisposable?> TryLockSweeperAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable?>(Turn.Instance);

    private sealed class Turn : IAsyncDisposable
    {
        public static readonly Turn Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
