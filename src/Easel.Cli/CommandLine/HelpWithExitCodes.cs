using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Easel.Cli.CommandLine;

/// <summary>The standard help, followed by the exit-code table, on every verb.</summary>
internal sealed class HelpWithExitCodes(HelpAction standard) : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var result = standard.Invoke(parseResult);
        parseResult.InvocationConfiguration.Output.WriteLine(ExitCodes.Epilog);
        return result;
    }

    public static void InstallOn(RootCommand root)
    {
        // The help option is recursive: replacing its action on the root covers every verb.
        foreach (var option in root.Options)
        {
            if (option is HelpOption { Action: HelpAction standard } help)
            {
                help.Action = new HelpWithExitCodes(standard);
            }
        }
    }
}
