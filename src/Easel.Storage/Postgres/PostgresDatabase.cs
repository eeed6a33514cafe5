using System.Data;
using System.Data.Common;
using Dapper;
using Npgsql;

namespace Easel.Storage.Postgres;

/// <summary>
/// The shared database of scale-out mode: one PostgreSQL database that several Easel nodes use at once.
/// Unlike the embedded SQLite file there is no writer gate: each write is its own READ COMMITTED transaction on a
/// pooled connection, and conflicting writers wait only on the rows they both touch (an account's row, a task's row).
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable, IDisposable, IStoreDatabase
{
    private readonly NpgsqlDataSource _dataSource;

    static PostgresDatabase()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    public PostgresDatabase(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            // The message names the fault but never echoes the string, which may hold a password.
            throw new ArgumentException($"Easel:Database:ConnectionString is not a valid PostgreSQL connection string: {e.Message}", nameof(connectionString), e);
        }
        parsed.ApplicationName ??= "easel";
        _dataSource = NpgsqlDataSource.Create(parsed);
    }

    /// <summary>For the listener, which holds one connection of its own for as long as the node runs.</summary>
    internal NpgsqlDataSource DataSource => _dataSource;

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>One transaction; committed when <paramref name="work"/> returns, rolled back when it throws.</summary>
    public async Task<T> WriteAsync<T>(Func<NpgsqlConnection, IDbTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        var result = await work(connection, transaction);
        // Not cancellable: a commit abandoned half-way would leave the outcome unknown to the caller.
        await transaction.CommitAsync(CancellationToken.None);
        return result;
    }

    /// <summary>One statement on its own (autocommit): a single conditional UPDATE needs no explicit transaction.</summary>
    public async Task<T> RunAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await work(connection);
    }

    public Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken) => RunAsync(work, cancellationToken);

    Task<T> IStoreDatabase.ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken) =>
        RunAsync<T>(c => work(c), cancellationToken);

    Task<T> IStoreDatabase.WriteAsync<T>(Func<DbConnection, IDbTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync<T>((c, tx) => work(c, tx), cancellationToken);

    Task<T> IStoreDatabase.StatementAsync<T>(Func<DbConnection, IDbTransaction?, Task<T>> work, CancellationToken cancellationToken) =>
        RunAsync<T>(c => work(c, null), cancellationToken);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();
}
