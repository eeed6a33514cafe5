using System.Text.Json;
using Easel.Core.Operations;
using Easel.Core.Tasks;

namespace Easel.Storage.Postgres;

/// <summary>
/// The columns of the tasks table, read and written, in one place: a new column is added here (both lists, the row
/// and the mapping) and as a step of PostgresMigrations, and nowhere else.
/// </summary>
internal static class PostgresTaskRows
{
    public const string Columns =
        "id, account_id, dialect, kind, operation, state, progress, created_at, started_at, finished_at, price_micros, " +
        "failure_kind, failure_message, result_keys::text AS result_keys, callback_url, attempts, price_group, base_url, request_id, trace_parent, engine, files_deleted_at";

    /// <summary>The columns a create writes, with their parameters (see <see cref="InsertArguments"/>).</summary>
    public const string InsertColumns =
        "id, account_id, dialect, kind, operation, state, progress, priority, created_at, price_micros, callback_url, price_group, base_url, request_id, trace_parent";

    public const string InsertValues =
        "@Id, @AccountId, @Dialect, @Kind, @Operation, @State, 0, @Priority, @CreatedAt, @PriceMicros, @CallbackUrl, @PriceGroup, @BaseUrl, @RequestId, @TraceParent";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    public static object InsertArguments(TaskRecord task) => new
    {
        task.Id,
        task.AccountId,
        Dialect = (int)task.Dialect,
        Kind = (int)task.Operation.Kind,
        Operation = JsonSerializer.Serialize(task.Operation, Json),
        State = (int)TaskState.Pending,
        Priority = task.Operation.Speed == Speed.Turbo ? 1 : 0,
        CreatedAt = task.CreatedAt.ToUniversalTime(),
        task.PriceMicros,
        task.CallbackUrl,
        task.PriceGroup,
        task.BaseUrl,
        task.RequestId,
        task.TraceParent,
        InputKeys = task.InputBlobKeys.Distinct(StringComparer.Ordinal).ToArray(),
    };

    public static TaskRecord? Map(TaskRow? row) => row is null ? null : new TaskRecord(
        row.Id,
        row.AccountId,
        (Dialect)row.Dialect,
        JsonSerializer.Deserialize<Operation>(row.Operation, Json)!,
        (TaskState)row.State,
        row.Progress,
        Instant(row.CreatedAt),
        row.StartedAt is DateTime s ? Instant(s) : null,
        row.FinishedAt is DateTime f ? Instant(f) : null,
        row.PriceMicros,
        row.FailureKind is int k ? new TaskFailure((FailureKind)k, row.FailureMessage ?? "") : null,
        row.ResultKeys is null ? [] : JsonSerializer.Deserialize<string[]>(row.ResultKeys, Json)!,
        row.CallbackUrl,
        row.Attempts,
        row.PriceGroup)
    {
        BaseUrl = row.BaseUrl, RequestId = row.RequestId, TraceParent = row.TraceParent, Engine = row.Engine,
        FilesDeletedAt = row.FilesDeletedAt is DateTime d ? Instant(d) : null,
    };

    /// <summary>Npgsql reads timestamptz as a UTC DateTime.</summary>
    public static DateTimeOffset Instant(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    internal sealed class TaskRow
    {
        public string Id { get; set; } = "";
        public string AccountId { get; set; } = "";
        public int Dialect { get; set; }
        public int Kind { get; set; }
        public string Operation { get; set; } = "";
        public int State { get; set; }
        public int Progress { get; set; }
        public DateTime CreatedAt { get; set; }
        public DateTime? StartedAt { get; set; }
        public DateTime? FinishedAt { get; set; }
        public long PriceMicros { get; set; }
        public int? FailureKind { get; set; }
        public string? FailureMessage { get; set; }
        public string? ResultKeys { get; set; }
        public string? CallbackUrl { get; set; }
        public int Attempts { get; set; }
        public string PriceGroup { get; set; } = "";
        public string? BaseUrl { get; set; }
        public string? RequestId { get; set; }
        public string? TraceParent { get; set; }
        public string? Engine { get; set; }
        public DateTime? FilesDeletedAt { get; set; }
    }
}
