using Easel.Storage.Postgres;
using Easel.Storage.Sqlite;

namespace Easel.Storage;

/// <summary>Brings the configured database's schema up to date; start-up runs it before anything serves or works.</summary>
public interface IStorageSchema
{
    Task MigrateAsync(TimeProvider time, CancellationToken cancellationToken);
}

internal sealed class SqliteSchema(SqliteDatabase database) : IStorageSchema
{
    public Task MigrateAsync(TimeProvider time, CancellationToken cancellationToken) => SqliteMigrations.ApplyAsync(database, time, cancellationToken);
}

internal sealed class PostgresSchema(PostgresDatabase database) : IStorageSchema
{
    public Task MigrateAsync(TimeProvider time, CancellationToken cancellationToken) => PostgresMigrations.ApplyAsync(database, time, cancellationToken);
}
