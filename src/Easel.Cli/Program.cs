using Easel.Cli.CommandLine;

namespace Easel.Cli;

/// <summary>The <c>easel</c> command line: an HTTP client of a running Easel server, and <c>easel serve</c> to run one.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <summary>Runs one command line with its output captured, as the tests do; the environment is the process's own.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        RunAsync(args, stdout, stderr, Environment.GetEnvironmentVariable);

    /// <summary>As above, with the environment variables (EASEL_URL, EASEL_KEY) read through <paramref name="environment"/>.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment) =>
        EaselCommand.RunAsync(args, stdout, stderr, environment);

    /// <summary>As above, with <paramref name="interrupt"/> playing the part of Ctrl-C.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment, CancellationToken interrupt) =>
        EaselCommand.RunAsync(args, stdout, stderr, environment, interrupt);
}
