using Easel.Cli.CommandLine;
using Easel.Cli.Http;
using Spectre.Console;

namespace Easel.Cli.Tasks;

/// <summary>
/// Polls GET /v1/tasks/{id} until the task ends. On a terminal (and not in --json) it draws a live progress bar;
/// otherwise it polls quietly and the caller prints the end. Cancelling the token stops the following, never the task.
/// </summary>
internal sealed class TaskFollower(EaselClient client, Output output, TimeSpan interval)
{
    /// <summary>The last answer seen: updated on every poll, so an interrupted follow still knows where the task was.</summary>
    public ApiAnswer? Last { get; private set; }

    public async Task<ApiAnswer> FollowAsync(ApiAnswer created, CancellationToken cancellationToken)
    {
        Last = created;
        if (output.Json || !output.IsTerminal)
        {
            return await PollAsync(created, _ => { }, cancellationToken);
        }
        ApiAnswer? end = null;
        var first = created.Read<TaskWire>();
        await output.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var bar = progress.AddTask(Describe(first), maxValue: 100);
                end = await PollAsync(created, task =>
                {
                    bar.Description = Describe(task);
                    bar.Value = task.Progress;
                }, cancellationToken);
                bar.StopTask();
            });
        return end!;
    }

    private async Task<ApiAnswer> PollAsync(ApiAnswer answer, Action<TaskWire> seen, CancellationToken cancellationToken)
    {
        var task = answer.Read<TaskWire>();
        seen(task);
        while (!task.IsFinished)
        {
            await Task.Delay(interval, cancellationToken);
            answer = await client.GetAsync($"v1/tasks/{EaselClient.Segment(task.Id)}", cancellationToken);
            Last = answer;
            task = answer.Read<TaskWire>();
            seen(task);
        }
        return answer;
    }

    private static string Describe(TaskWire task)
    {
        var status = TaskDisplay.Status(task);
        var eta = task.TaskInfo is { EstimatedTime: > 0 } info && !task.IsFinished ? $" ~{info.EstimatedTime} s" : "";
        return Markup.Escape($"{task.Id} {status}{eta}");
    }
}
