namespace Easel.Storage.Sqlite;

/// <summary>The callback outbox in the embedded SQLite file (CallbackStore with SQLite's dialect).</summary>
public sealed class SqliteCallbackStore(SqliteDatabase db) : CallbackStore(db, StoreDialect.Sqlite);
