namespace Easel.Storage.Sqlite;

/// <summary>Accounts, keys and the ledger in the embedded SQLite file (AccountStore with SQLite's dialect).</summary>
public sealed class SqliteAccountStore(SqliteDatabase db) : AccountStore(db, StoreDialect.Sqlite);
