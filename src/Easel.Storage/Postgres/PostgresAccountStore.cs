namespace Easel.Storage.Postgres;

/// <summary>Accounts, keys and the ledger in PostgreSQL (AccountStore with PostgreSQL's dialect).</summary>
public sealed class PostgresAccountStore(PostgresDatabase db) : AccountStore(db, StoreDialect.Postgres);
