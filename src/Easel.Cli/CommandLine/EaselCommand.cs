using System.CommandLine;
using System.CommandLine.Invocation;
using Easel.Cli.Admin;
using Easel.Cli.Models;
using Easel.Cli.Serve;
using Easel.Cli.Tasks;

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

        // Each feature adds its own verbs.
        ServeVerb.AddTo(root);
        Blobs.BlobsVerb.AddTo(root);
        SubmitVerb.AddTo(root, verbs);
        ModelsVerb.AddTo(root, verbs);
        TaskVerbs.AddTo(root, verbs);
        AccountVerbs.AddTo(root, verbs);
        CreditVerbs.AddTo(root, verbs);
        KeyVerbs.AddTo(root, verbs);
        LedgerVerbs.AddTo(root, verbs);
        return root;
    }

    /// <summary>
    /// Runs one command line. <paramref name="interrupt"/> stands for Ctrl-C in tests: the process's own signals
    /// cancel the same token through System.CommandLine's termination handling.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment,
        CancellationToken interrupt = default)
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
        var configuration = new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            // serve leaves Ctrl-C and SIGTERM to the host, which stops gracefully in its own time. Other verbs get the
            // token cancelled and some seconds to act on it (submit --cancel-on-interrupt sends a cancel).
            ProcessTerminationTimeout = parse.CommandResult.Command.Name == ServeVerb.Name && parse.CommandResult.Parent is { } p && p.Parent is null
                ? null
                : TimeSpan.FromSeconds(10),
        };
        return await parse.InvokeAsync(configuration, interrupt);
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
