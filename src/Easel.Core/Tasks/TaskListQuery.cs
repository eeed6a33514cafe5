namespace Easel.Core.Tasks;

/// <summary>
/// One page of an account's tasks, newest first (creation time, then id, both descending): at most
/// <see cref="Limit"/> tasks in one of <see cref="States"/> (any state when empty), created strictly before the
/// task <see cref="Before"/> when given. The cursor is a task rather than an offset, so a page never repeats or
/// skips a task when new ones are created meanwhile.
/// </summary>
public sealed record TaskListQuery(IReadOnlyList<TaskState> States, TaskRecord? Before, int Limit)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;
}
