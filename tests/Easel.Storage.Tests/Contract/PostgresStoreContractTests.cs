using Dapper;
using Easel.Core.Accounts;
using Easel.Core.Callbacks;
using Easel.Core.Tasks;
using Easel.Storage.Postgres;
using Easel.Testing;

namespace Easel.Storage.Tests.Contract;

/// <summary>The store contract in scale-out mode: a fresh database per test in the run's throwaway PostgreSQL cluster.</summary>
[Collection(PostgresCluster.Collection)]
public sealed class PostgresStoreContractTests(PostgresCluster cluster) : StoreContract
{
    private PostgresDatabase? _db;

    protected override async Task<(ITaskStore Tasks, IAccountStore Accounts, ICallbackStore Callbacks)> OpenAsync(CallbackHandoff handoff)
    {
        // A session time zone far from UTC: no store statement may depend on it (usage counts UTC days).
        _db = new PostgresDatabase(await cluster.CreateDatabaseAsync() + ";Timezone=Pacific/Auckland");
        await PostgresMigrations.ApplyAsync(_db, TimeProvider.System, default);
        return (new PostgresTaskStore(_db, handoff), new PostgresAccountStore(_db), new PostgresCallbackStore(_db));
    }

    protected override Task InsertChargeRowAsync(string accountId, string taskId) =>
        _db!.RunAsync(c => c.ExecuteAsync(
            "INSERT INTO ledger (account_id, task_id, kind, amount_micros, created_at) VALUES (@accountId, @taskId, @kind, 0, now())",
            new { accountId, taskId, kind = (int)LedgerKind.Charge }), default);

    protected override Core.Engines.Upstream.IUpstreamJobStore Jobs => new PostgresUpstreamJobStore(_db!);

    protected override async Task CloseAsync()
    {
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }
    }
}
