using System.Data.Common;
using Dapper;
using Easel.Storage.Postgres;
using Easel.Storage.Sqlite;
using Easel.Testing;

namespace Easel.Storage.Tests.Contract;

/// <summary>
/// The retention migration (SQLite 7, PostgreSQL 6) on tasks stored before it: each task then holds its results, its
/// stored input and mask, and (a secondary operation) its source task's image, read from the stored operation JSON as
/// Easel writes it; a URL input holds nothing.
/// </summary>
[Collection(PostgresCluster.Collection)]
public sealed class TaskBlobsBackfillTests(PostgresCluster cluster)
{
    // As the stores serialise operations (System.Text.Json, general defaults, the "op" and "kind" discriminators).
    private const string Seed =
        """
        INSERT INTO tasks (id, account_id, dialect, kind, operation, state, priority, created_at, price_micros, result_keys) VALUES
         ('A', 'acc', 0, 0, '{"op":"upload_paint","Prompt":"p","Speed":0,"Image":{"kind":"stored","BlobKey":"u1/upload"},"Canvas":{"Width":64,"Height":64},"Mask":{"kind":"areas","Areas":[{"Width":1,"Height":1,"Points":[1,2,3,4,5,6]}]}}', 2, 0, CREATED, 1, '["r0","r1","r2","r3"]'),
         ('B', 'acc', 0, 3, '{"op":"remix","Prompt":"p","Speed":0,"From":{"TaskId":"A","ImageNumber":1},"Mode":0}', 0, 0, CREATED, 1, NULL),
         ('C', 'acc', 0, 0, '{"op":"upload_paint","Prompt":"p","Speed":0,"Image":{"kind":"url","Url":"http://example.com/a.png"},"Mask":{"kind":"image","Image":{"kind":"stored","BlobKey":"m1/mask"}}}', 3, 0, CREATED, 1, NULL)
        """;

    private static readonly string[] Expected = ["A r0", "A r1", "A r2", "A r3", "A u1/upload", "B r1", "C m1/mask"];

    [Fact]
    public async Task Sqlite_step_7_records_the_holds_of_older_tasks()
    {
        var directory = Directory.CreateTempSubdirectory("easel-backfill");
        try
        {
            using var db = new SqliteDatabase(Path.Combine(directory.FullName, "easel.db"));
            await SqliteMigrations.ApplyAsync(db, TimeProvider.System, 6, default);
            await db.WriteAsync(async (c, tx) =>
            {
                await c.ExecuteAsync("INSERT INTO accounts (id, name, is_admin, created_at) VALUES ('acc', 'a', 0, 0)", transaction: tx);
                return await c.ExecuteAsync(Seed.Replace("CREATED", "0", StringComparison.Ordinal), transaction: tx);
            }, default);
            await SqliteMigrations.ApplyAsync(db, TimeProvider.System, default);
            Assert.Equal(Expected, await db.ReadAsync(HoldsAsync, default));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Postgres_step_6_records_the_holds_of_older_tasks()
    {
        await using var db = new PostgresDatabase(await cluster.CreateDatabaseAsync());
        await PostgresMigrations.ApplyAsync(db, TimeProvider.System, 5, default);
        await db.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync("INSERT INTO accounts (id, name, is_admin, created_at, webhook_secret) VALUES ('acc', 'a', false, now(), 'x')", transaction: tx);
            return await c.ExecuteAsync(Seed.Replace("CREATED", "now()", StringComparison.Ordinal), transaction: tx);
        }, default);
        await PostgresMigrations.ApplyAsync(db, TimeProvider.System, default);
        Assert.Equal(Expected, await db.ReadAsync(HoldsAsync, default));
    }

    private static async Task<string[]> HoldsAsync(DbConnection connection) =>
        (await connection.QueryAsync<string>("SELECT task_id || ' ' || blob_key FROM task_blobs ORDER BY task_id, blob_key")).ToArray();
}
