using Dapper;
using Easel.Storage.Postgres;
using Easel.Storage.Sqlite;
using Npgsql;

namespace Easel.Storage;

/// <summary>What start-up asks of the configured database before anything serves or works.</summary>
public interface IStorageSchema
{
    /// <summary>
    /// Held while a node starts (migrations, the first admin key): nodes of one database that start together take
    /// turns, so two of them cannot both find no key and both create the bootstrap admin.
    /// </summary>
    Task<IAsyncDisposable> LockStartupAsync(CancellationToken cancellationToken);

    /// <summary>Brings the schema up to date.</summary>
    Task MigrateAsync(TimeProvider time, CancellationToken cancellationToken);
}

internal sealed class SqliteSchema(SqliteDatabase database) : IStorageSchema
{
    // One node per SQLite file: there is nobody to take turns with.
    public Task<IAsyncDisposable> LockStartupAsync(CancellationToken cancellationToken) => Task.FromResult<IAsyncDisposable>(NoLock.Instance);

    public Task MigrateAsync(TimeProvider time, CancellationToken cancellationToken) => SqliteMigrations.ApplyAsync(database, time, cancellationToken);

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

internal sealed class PostgresSchema(PostgresDatabase database) : IStorageSchema
{
    // Not the migrations' own lock: that one is taken, inside this one, by another connection.
    private const long StartupLock = 0x45_61_73_65_6C_00_00_02;

    public async Task<IAsyncDisposable> LockStartupAsync(CancellationToken cancellationToken)
    {
        // A session lock on a connection of its own, released with it (also if the node dies while starting).
        var connection = await database.OpenAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@StartupLock)", new { StartupLock }, cancellationToken: cancellationToken));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        return new Held(connection);
    }

    public Task MigrateAsync(TimeProvider time, CancellationToken cancellationToken) => PostgresMigrations.ApplyAsync(database, time, cancellationToken);

    private sealed class Held(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@StartupLock)", new { StartupLock });
            await connection.DisposeAsync();
        }
    }
}
