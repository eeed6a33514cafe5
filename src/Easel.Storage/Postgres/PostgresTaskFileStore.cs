using System.Data;
using System.Data.Common;
using Dapper;
using Npgsql;

namespace Easel.Storage.Postgres;

/// <summary>
/// Scale-out mode: the sweeper's turn is a session advisory lock on a connection of its own (released with it, also
/// when the node dies); releases lock the tasks' rows and, per blob, a transaction advisory lock on its key's hash.
/// </summary>
public sealed class PostgresTaskFileStore(PostgresDatabase database) : TaskFileStore(database, StoreDialect.Postgres)
{
    // Beside the migration (…01) and start-up (…02) locks.
    private const long SweeperLock = 0x45_61_73_65_6C_00_00_03;

    private protected override Task LockBlobAsync(DbConnection connection, IDbTransaction transaction, string blobKey) =>
        connection.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtextextended(@blobKey, 0))", new { blobKey }, transaction);

    public override async Task<IAsyncDisposable?> TryLockSweeperAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken);
        try
        {
            if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@SweeperLock)", new { SweeperLock }, cancellationToken: cancellationToken)))
            {
                return new Turn(connection);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    private sealed class Turn(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@SweeperLock)", new { SweeperLock });
            }
            finally
            {
                // Closing the session releases the lock too, should the unlock itself have failed.
                await connection.DisposeAsync();
            }
        }
    }
}
