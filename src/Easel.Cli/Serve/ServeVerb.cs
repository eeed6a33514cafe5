using System.CommandLine;
using Easel.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Easel.Cli.Serve;

/// <summary>
/// <c>easel serve</c>: runs the Easel server in this process, built by the server's own
/// <see cref="EaselApplication"/>, so it is the same server as <c>dotnet run --project src/Easel.Server</c>
/// with the same configuration (appsettings.json in the working directory, Easel__* variables, --urls).
/// </summary>
internal static class ServeVerb
{
    public const string Name = "serve";

    public static void AddTo(RootCommand root)
    {
        var urls = new Option<string?>("--urls")
        {
            Description = "Addresses to listen on, ';'-separated (default http://localhost:5080, or ASPNETCORE_URLS)",
            HelpName = "urls",
        };
        var data = new Option<string?>("--data-dir") { Description = "Data directory: database and files (default ./data, or Easel__DataDirectory)", HelpName = "dir" };
        var engine = new Option<string?>("--engine") { Description = "Engine: local (default) or passthrough", HelpName = "name" };
        var workers = new Option<int?>("--workers") { Description = "Tasks run at once (default: the number of processors)", HelpName = "n" };
        var command = new Command(Name, """
            Run the Easel server in the foreground; Ctrl-C or SIGTERM stops it. Any other setting is passed on as
            configuration, e.g. --Easel:PublicBaseUrl=https://easel.example.com or --Easel:BootstrapKey=...
            With --json the server logs JSON lines (Easel:Logging:Format=json).
            """)
        {
            urls, data, engine, workers,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            // Options of ours become the host's own command-line configuration; unknown tokens follow as they are.
            var args = new List<string>();
            void Add(string key, string? value)
            {
                if (value is not null)
                {
                    args.Add($"--{key}={value}");
                }
            }
            Add("urls", parse.GetValue(urls));
            Add("Easel:DataDirectory", parse.GetValue(data));
            Add("Easel:Engine", parse.GetValue(engine));
            Add("Easel:Workers", parse.GetValue(workers)?.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // For a server, --json means what a script (or a log shipper) reads of it: its log lines.
            Add("Easel:Logging:Format", parse.GetValue<bool>("--json") ? "json" : null);
            args.AddRange(parse.UnmatchedTokens);
            var error = parse.InvocationConfiguration.Error;
            try
            {
                await using var app = EaselApplication.Build([.. args]);
                // The host's console lifetime owns Ctrl-C and SIGTERM (EaselCommand leaves them to it) and stops gracefully.
                await app.RunAsync();
                return CommandLine.ExitCodes.Success;
            }
            catch (OptionsValidationException e)
            {
                await error.WriteLineAsync($"error: invalid configuration: {string.Join("; ", e.Failures)}");
                return CommandLine.ExitCodes.Usage;
            }
            catch (IOException e) when (e.Message.StartsWith("Failed to bind", StringComparison.Ordinal))
            {
                await error.WriteLineAsync($"error: cannot listen: {e.Message}");
                return CommandLine.ExitCodes.ServerError;
            }
        });
        root.Subcommands.Add(command);
    }
}
