using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Easel.Storage.Sqlite;

/// <summary>
/// The embedded database: one SQLite file in WAL mode. Readers never wait; writers take an in-process gate
/// before BEGIN IMMEDIATE, so concurrent requests queue in memory instead of spinning on SQLITE_BUSY. SQLite
/// has one writer at a time anyway, so writes share one long-lived connection, prepared once.
/// </summary>
public sealed class SqliteDatabase : IDisposable, IStoreDatabase
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private SqliteConnection? _writer;

    static SqliteDatabase()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    public SqliteDatabase(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    // Only writers need these, and a pooled connection forgets nothing, but a fresh SqliteConnection cannot tell
    // whether its pooled handle has them: so they are set on every write, never on the hot read path.
    private static Task<int> PrepareForWritingAsync(SqliteConnection connection) =>
        // NORMAL is durable in WAL mode against a process crash (SIGKILL); only an OS crash can lose the last commits.
        connection.ExecuteAsync("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");

    public async Task<T> WriteAsync<T>(Func<SqliteConnection, IDbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            if (_writer is null)
            {
                _writer = await OpenAsync(cancellationToken);
                await PrepareForWritingAsync(_writer);
            }
            try
            {
                await using var transaction = _writer.BeginTransaction(deferred: false);
                var result = await work(_writer, transaction);
                // Not cancellable: a commit abandoned half-way would leave the outcome unknown to the caller.
                await transaction.CommitAsync(CancellationToken.None);
                return result;
            }
            catch (SqliteException)
            {
                // The transaction rolled back when disposed; a fresh connection rules out a broken one.
                await _writer.DisposeAsync();
                _writer = null;
                throw;
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task<T> ReadAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var connection = await OpenAsync(cancellationToken);
        return await work(connection);
    }

    Task<T> IStoreDatabase.ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken) =>
        ReadAsync<T>(c => work(c), cancellationToken);

    Task<T> IStoreDatabase.WriteAsync<T>(Func<DbConnection, IDbTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync<T>((c, tx) => work(c, tx), cancellationToken);

    Task<T> IStoreDatabase.StatementAsync<T>(Func<DbConnection, IDbTransaction?, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync<T>((c, tx) => work(c, tx), cancellationToken);

    public void Dispose()
    {
        _writer?.Dispose();
        _writeGate.Dispose();
    }
}
