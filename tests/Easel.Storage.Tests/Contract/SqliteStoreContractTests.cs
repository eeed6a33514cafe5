using Dapper;
using Easel.Core.Accounts;
using Easel.Core.Callbacks;
using Easel.Core.Tasks;
using Easel.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Easel.Storage.Tests.Contract;

/// <summary>The store contract on the embedded default: a real SQLite file per test.</summary>
public sealed class SqliteStoreContractTests : StoreContract
{
    private readonly string _directory = Directory.CreateTempSubdirectory("easel-store-").FullName;
    private SqliteDatabase? _db;

    protected override async Task<(ITaskStore Tasks, IAccountStore Accounts, ICallbackStore Callbacks)> OpenAsync(CallbackHandoff handoff)
    {
        _db = new SqliteDatabase(Path.Combine(_directory, "easel.db"));
        await SqliteMigrations.ApplyAsync(_db, TimeProvider.System, default);
        return (new SqliteTaskStore(_db, handoff), new SqliteAccountStore(_db), new SqliteCallbackStore(_db));
    }

    protected override Task InsertChargeRowAsync(string accountId, string taskId) =>
        _db!.WriteAsync((c, tx) => c.ExecuteAsync(
            "INSERT INTO ledger (account_id, task_id, kind, amount_micros, created_at) VALUES (@accountId, @taskId, @kind, 0, 0)",
            new { accountId, taskId, kind = (int)LedgerKind.Charge }, tx), default);

    protected override Core.Engines.Upstream.IUpstreamJobStore Jobs => new SqliteUpstreamJobStore(_db!);

    protected override Task CloseAsync()
    {
        _db?.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}
