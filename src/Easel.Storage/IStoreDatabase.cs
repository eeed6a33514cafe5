using System.Data;
using System.Data.Common;

namespace Easel.Storage;

/// <summary>
/// What a store shared by both databases needs of one: reads on a connection of their own, and writes in one
/// transaction (SQLite's behind its single writer, PostgreSQL's on a pooled connection).
/// </summary>
internal interface IStoreDatabase
{
    Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken);

    Task<T> WriteAsync<T>(Func<DbConnection, IDbTransaction, Task<T>> work, CancellationToken cancellationToken);
}
