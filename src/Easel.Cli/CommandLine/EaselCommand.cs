using System.CommandLine;
using System.CommandLine.Invocation;
using Easel.Cli.Admin;

namespace Easel.Cli.CommandLine;

/// <summary>The root command: global options, the verbs, and the mapping of every outcome to an exit code.</summary>
internal static class EaselCommand
{
    public static RootCommand Build(Func<string, string?> environment, TextWriter stdout, TextWriter stderr)
    {
        var globals = new GlobalOptions(environment);
        var verbs = new VerbRunner(globals, stdout, stderr);
        var root = new RootCommand("easel: administer and use an Easel image-editing server over its HTTP API");
        globals.AddTo(root);
        HelpWithExitCodes.InstallOn(root);

        // Each feature adds its own verbs; the task verbs (submit, tasks) and serve slot in beside these.
        AccountVerbs.AddTo(root, verbs);
        CreditVerbs.AddTo(root, verbs);
        KeyVerbs.AddTo(root, verbs);
        LedgerVerbs.AddTo(root, verbs);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment)
    {
        var root = Build(environment, stdout, stderr);
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            // System.CommandLine's own error action answers 1 and prints help to stdout; scripts get 2 and a clean stdout.
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync($"error: {error.Message}");
            }
            await stderr.WriteLineAsync($"Run '{CommandPath(parse)} --help' for usage.");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(result.Command is RootCommand ? "easel" : result.Command.Name);
        }
        names.Reverse();
        return string.Join(' ', names);
    }
}
