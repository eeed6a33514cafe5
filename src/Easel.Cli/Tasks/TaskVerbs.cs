using System.CommandLine;
using System.Globalization;
using Easel.Cli.CommandLine;
using Easel.Cli.Http;

namespace Easel.Cli.Tasks;

/// <summary><c>easel tasks list|show|cancel</c>: the caller's own tasks, in the unified dialect's view.</summary>
internal static class TaskVerbs
{
    private static readonly string[] States = ["pending", "processing", "completed", "failed", "cancelled"];

    public static void AddTo(RootCommand root, VerbRunner verbs)
    {
        var tasks = new Command("tasks", "List, show and cancel your tasks");
        tasks.Subcommands.Add(List(verbs));
        tasks.Subcommands.Add(Show(verbs));
        tasks.Subcommands.Add(Cancel(verbs));
        root.Subcommands.Add(tasks);
    }

    private static Command List(VerbRunner verbs)
    {
        var limit = new Option<int>("--limit") { Description = "Tasks per page, 1-100", HelpName = "n", DefaultValueFactory = _ => 20 };
        var state = new Option<string?>("--state") { Description = "Only tasks in this state (failed includes cancelled)", HelpName = "state" };
        state.AcceptOnlyFromAmong(States);
        var before = new Option<string?>("--before") { Description = "Tasks created before this one: the last id of the previous page", HelpName = "task-id" };
        var command = new Command("list", "List your tasks, newest first, one page at a time") { limit, state, before };
        verbs.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.Parse;
            var query = new List<string> { "limit=" + parse.GetValue(limit).ToString(CultureInfo.InvariantCulture) };
            if (parse.GetValue(state) is { } s)
            {
                query.Add("state=" + Uri.EscapeDataString(s));
            }
            if (parse.GetValue(before) is { } b)
            {
                query.Add("before=" + Uri.EscapeDataString(b));
            }
            var answer = await context.Client.GetAsync("v1/tasks?" + string.Join('&', query), cancellationToken);
            if (context.Output.Json)
            {
                context.Output.Raw(answer.Raw);
                return;
            }
            var page = answer.Read<TaskListWire>();
            var table = Output.Table("Task", "Model", "Status", "Progress", "Created", "Credits", "Error");
            foreach (var task in page.Data)
            {
                TaskDisplay.AddRow(table, task);
            }
            context.Output.Console.Write(table);
            if (page.HasMore)
            {
                context.Output.Line($"More: easel tasks list --before {page.Data[^1].Id}");
            }
        });
        return command;
    }

    private static Command Show(VerbRunner verbs)
    {
        var id = new Argument<string>("task-id") { Description = "Id of the task" };
        var command = new Command("show", "Show a task: its state, progress, results or error") { id };
        verbs.SetAction(command, async (context, cancellationToken) =>
        {
            var answer = await context.Client.GetAsync($"v1/tasks/{EaselClient.Segment(context.Parse.GetRequiredValue(id))}", cancellationToken);
            Print(context.Output, answer);
        });
        return command;
    }

    private static Command Cancel(VerbRunner verbs)
    {
        var id = new Argument<string>("task-id") { Description = "Id of the task" };
        var command = new Command("cancel", "Cancel a pending or processing task; its credits are refunded (a finished task: exit 6)") { id };
        verbs.SetAction(command, async (context, cancellationToken) =>
        {
            var answer = await context.Client.PostAsync($"v1/tasks/{EaselClient.Segment(context.Parse.GetRequiredValue(id))}/cancel", null, cancellationToken);
            Print(context.Output, answer);
        });
        return command;
    }

    private static void Print(Output output, ApiAnswer answer)
    {
        if (output.Json)
        {
            output.Raw(answer.Raw);
            return;
        }
        TaskDisplay.Write(output, answer.Read<TaskWire>());
    }
}
