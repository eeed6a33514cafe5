using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Easel.Cli.CommandLine;

/// <summary>
/// Where a verb writes: with --json only the server's raw answer reaches stdout; otherwise Spectre.Console
/// tables, with colour only on a real terminal. Secrets are written as plain lines, never wrapped, so they copy whole.
/// </summary>
internal sealed class Output
{
    private readonly TextWriter _stdout;

    public Output(TextWriter stdout, TextWriter stderr, bool json)
    {
        _stdout = stdout;
        Error = stderr;
        Json = json;
        var terminal = ReferenceEquals(stdout, System.Console.Out) && !System.Console.IsOutputRedirected;
        IsTerminal = terminal;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            // Piped output is read by programs and people with wide windows: don't wrap at the 80 columns assumed otherwise.
            Console.Profile.Width = 240;
        }
    }

    public bool Json { get; }

    /// <summary>Stdout is a person's terminal: live displays (submit's progress bar) are drawn only then.</summary>
    public bool IsTerminal { get; }

    public IAnsiConsole Console { get; }

    public TextWriter Error { get; }

    public void Raw(string json) => _stdout.WriteLine(json.TrimEnd());

    public void Line(string text) => _stdout.WriteLine(text);

    /// <summary>Label/value pairs as a borderless two-column grid; values are plain text, never markup.</summary>
    public void Fields(params (string Label, string? Value)[] fields)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        foreach (var (label, value) in fields)
        {
            grid.AddRow(new Text(label + ":", new Style(decoration: Decoration.Bold)), new Text(value ?? "-"));
        }
        Console.Write(grid);
    }

    public static Table Table(params string[] headers)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(new Text(header, new Style(decoration: Decoration.Bold))));
        }
        return table;
    }

    public static void AddRow(Table table, params string?[] cells) =>
        table.AddRow(cells.Select(c => (IRenderable)new Text(c ?? "-")).ToArray());

    public static string Time(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Credits(decimal credits) => credits.ToString("0.######", CultureInfo.InvariantCulture);
}
