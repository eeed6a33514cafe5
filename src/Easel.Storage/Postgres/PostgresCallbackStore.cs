namespace Easel.Storage.Postgres;

/// <summary>The callback outbox in PostgreSQL (CallbackStore with PostgreSQL's dialect).</summary>
public sealed class PostgresCallbackStore(PostgresDatabase db) : CallbackStore(db, StoreDialect.Postgres);
