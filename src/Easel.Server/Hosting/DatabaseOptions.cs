namespace Easel.Server.Hosting;

/// <summary>Easel:Database: where tasks, accounts and the ledger live.</summary>
public sealed class DatabaseOptions
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>"sqlite" (embedded, one node, data/easel.db) or "postgres" (scale-out: several nodes on one database).</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>The PostgreSQL connection string (Npgsql syntax); required when Provider is postgres.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Null when the settings are usable; otherwise what is wrong, in words an operator can act on.</summary>
    public string? Problem() => Provider.ToLowerInvariant() switch
    {
        Sqlite => null,
        Postgres when string.IsNullOrWhiteSpace(ConnectionString) =>
            "Easel:Database:Provider is postgres but Easel:Database:ConnectionString is empty; " +
            "set it (e.g. Easel__Database__ConnectionString=\"Host=db;Database=easel;Username=easel;Password=...\").",
        Postgres => null,
        _ => $"Easel:Database:Provider is '{Provider}'; it must be '{Sqlite}' or '{Postgres}'.",
    };
}
