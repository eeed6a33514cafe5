using Easel.Cli.CommandLine;
using Easel.Cli.Http;
using Spectre.Console;

namespace Easel.Cli.Tasks;

/// <summary>
/// Follows a task until it ends: through its event stream (GET /v1/tasks/{id}/events, progress as it happens and the
/// finished task at the end), or, from a server without one or when the stream breaks, by polling GET /v1/tasks/{id}.
/// On a terminal (and not in --json) it draws a live progress bar; otherwise it follows quietly and the caller prints
/// the end. Cancelling the token stops the following, never the task.
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
        if (!task.IsFinished && await StreamAsync(task, seen, cancellationToken) is { } streamed)
        {
            return streamed;
        }
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

    // The finished task from the event stream, or null to poll instead: a server without the stream (404), a stream
    // that broke off or ended early (it ends after half an hour); progress on the way is shown as it arrives.
    private async Task<ApiAnswer?> StreamAsync(TaskWire task, Action<TaskWire> seen, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in client.EventsAsync($"v1/tasks/{EaselClient.Segment(task.Id)}/events", cancellationToken))
            {
                if (item.EventType == "progress")
                {
                    var progress = new ApiAnswer(item.Data).Read<TaskProgressWire>();
                    seen(task with { Status = progress.Status, Progress = progress.Progress });
                }
                else if (item.EventType == "task")
                {
                    var end = new ApiAnswer(item.Data);
                    Last = end;
                    seen(end.Read<TaskWire>());
                    return end;
                }
            }
        }
        catch (Exception e) when (e is EaselApiException or HttpRequestException or IOException)
        {
            // Polling below answers the same question, one request per interval.
        }
        return null;
    }

    private static string Describe(TaskWire task)
    {
        var status = TaskDisplay.Status(task);
        var eta = task.TaskInfo is { EstimatedTime: > 0 } info && !task.IsFinished ? $" ~{info.EstimatedTime} s" : "";
        return Markup.Escape($"{task.Id} {status}{eta}");
    }
}
