namespace Easel.Storage;

/// <summary>
/// Where the SQL of a store shared by both databases differs: how an instant is written and read (SQLite: Unix
/// milliseconds in an integer; PostgreSQL: timestamptz), how a JSON column is read and written (PostgreSQL's jsonb
/// wants casts), how a stored instant becomes a UTC day, and row locks when claiming.
/// </summary>
internal abstract class StoreDialect
{
    public static StoreDialect Sqlite { get; } = new SqliteDialect();

    public static StoreDialect Postgres { get; } = new PostgresDialect();

    /// <summary>The value to bind for an instant.</summary>
    public abstract object Instant(DateTimeOffset value);

    /// <summary>The column, as text (aliased by the caller).</summary>
    public abstract string JsonColumn(string column);

    /// <summary>The parameter, as the column's JSON type.</summary>
    public abstract string JsonParameter(string parameter);

    /// <summary>The UTC day of a stored instant as yyyy-MM-dd text, whatever the session's time zone.</summary>
    public abstract string UtcDay(string column);

    /// <summary>Appended to the subquery that picks rows to claim: PostgreSQL's nodes skip rows another is claiming.</summary>
    public abstract string SkipLocked { get; }

    /// <summary>An instant as either database returns it (a boxed long or DateTime).</summary>
    public static DateTimeOffset ReadInstant(object value) => value switch
    {
        long milliseconds => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds),
        DateTime utc => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)),
        _ => throw new InvalidCastException($"a stored instant was a {value.GetType().Name}"),
    };

    private sealed class SqliteDialect : StoreDialect
    {
        public override object Instant(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

        public override string JsonColumn(string column) => column;

        public override string JsonParameter(string parameter) => parameter;

        public override string UtcDay(string column) => $"date({column} / 1000, 'unixepoch')";

        // One writer at a time: nothing to skip.
        public override string SkipLocked => "";
    }

    private sealed class PostgresDialect : StoreDialect
    {
        public override object Instant(DateTimeOffset value) => value.ToUniversalTime();

        public override string JsonColumn(string column) => $"{column}::text";

        public override string JsonParameter(string parameter) => $"{parameter}::jsonb";

        public override string UtcDay(string column) => $"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')";

        public override string SkipLocked => " FOR UPDATE SKIP LOCKED";
    }
}
