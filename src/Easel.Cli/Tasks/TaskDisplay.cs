using System.Globalization;
using Easel.Cli.CommandLine;

namespace Easel.Cli.Tasks;

/// <summary>How a task reads for a person: one grid of fields (show, submit) or one row of a table (list).</summary>
internal static class TaskDisplay
{
    public static void Write(Output output, TaskWire task) => output.Fields(
        ("Task", task.Id),
        ("Model", task.Model),
        ("Status", Status(task)),
        ("Progress", $"{task.Progress}%"),
        ("Created", Output.Time(task.Created)),
        ("Credits", task.Usage is null ? null : Output.Credits(task.Usage.CreditsReserved)),
        ("Estimated", task.TaskInfo is { EstimatedTime: > 0 } info ? $"{info.EstimatedTime} s left" : null),
        ("Results", task.Results is { Count: > 0 } results ? string.Join('\n', results) : null),
        ("Error", task.Error is { } error ? $"{error.Code}: {error.Message}" : null));

    public static void AddRow(Spectre.Console.Table table, TaskWire task) => Output.AddRow(table,
        task.Id, task.Model, Status(task), task.Progress.ToString(CultureInfo.InvariantCulture) + "%", Output.Time(task.Created),
        task.Usage is null ? null : Output.Credits(task.Usage.CreditsReserved), task.Error?.Code ?? "");

    /// <summary>"cancelled" rather than the dialect's "failed" + request_cancelled: a person asked for it.</summary>
    public static string Status(TaskWire task) => task.IsCancelled ? "cancelled" : task.Status;
}
