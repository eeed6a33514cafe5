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

    /// <summary>
    /// One statement that is atomic on its own: SQLite still takes its single writer (and a transaction, passed on);
    /// PostgreSQL runs it in autocommit (no transaction: null), saving the round trips of BEGIN and COMMIT.
    /// </summary>
    Task<T> StatementAsync<T>(Func<DbConnection, IDbTransaction?, Task<T>> work, CancellationToken cancellationToken);
}
