using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Easel.Cli.CommandLine;
using Easel.Storage.Blobs;
using Microsoft.Extensions.Configuration;

namespace Easel.Cli.Blobs;

/// <summary>
/// <c>easel blobs migrate</c>: copies a data directory's files into the bucket of Easel:Blobs:S3, read from the
/// server's own configuration (appsettings.json in the working directory, Easel__* variables, --Easel:Key=value), so
/// the same settings the nodes will use name the target. Runs locally, like serve: no server and no key needed.
/// </summary>
internal static class BlobsVerb
{
    public static void AddTo(RootCommand root)
    {
        var data = new Option<string?>("--data-dir") { Description = "Data directory whose files/ are copied (default ./data, or Easel:DataDirectory)", HelpName = "dir" };
        var parallel = new Option<int>("--parallel") { Description = "Files copied at once (1-64, default 4)", HelpName = "n", DefaultValueFactory = _ => 4 };
        var migrate = new Command("migrate", """
            Copy the data directory's files (uploads and results) into the bucket of Easel:Blobs:S3, under the same
            names, so their URLs keep working after the switch to Easel:Blobs:Provider=s3. Idempotent and resumable: an
            object already in the bucket with the same size (and MD5 ETag) is not copied again. Local files are kept.
            The bucket settings come from appsettings.json, Easel__Blobs__S3__* variables (or AWS_* for the
            credentials) or --Easel:Blobs:S3:Bucket=... on this command line.
            """)
        {
            data, parallel,
        };
        migrate.TreatUnmatchedTokensAsErrors = false;
        migrate.SetAction((parse, cancellationToken) => RunAsync(parse, parse.GetValue(data), parse.GetValue(parallel), cancellationToken));
        var blobs = new Command("blobs", "Uploads and results in storage (see migrate)") { migrate };
        root.Subcommands.Add(blobs);
    }

    private static async Task<int> RunAsync(ParseResult parse, string? dataOption, int parallel, CancellationToken cancellationToken)
    {
        var stdout = parse.InvocationConfiguration.Output;
        var stderr = parse.InvocationConfiguration.Error;
        var json = parse.GetValue<bool>("--json");
        if (parallel is < 1 or > 64)
        {
            await stderr.WriteLineAsync("error: --parallel must be between 1 and 64");
            return ExitCodes.Usage;
        }
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine([.. parse.UnmatchedTokens])
            .Build();
        var easel = configuration.GetSection("Easel");
        var options = easel.GetSection("Blobs:S3").Get<S3BlobOptions>() ?? new S3BlobOptions();
        if (options.Problem() is { } problem)
        {
            // The provider need not be s3 yet: the migration runs before the switch.
            await stderr.WriteLineAsync($"error: invalid configuration: {problem.Replace("Easel:Blobs:Provider is s3 but ", "", StringComparison.Ordinal)}");
            return ExitCodes.Usage;
        }
        var dataDirectory = Path.GetFullPath(dataOption ?? easel["DataDirectory"] ?? "./data");
        var files = Path.Combine(dataDirectory, "files");
        if (!Directory.Exists(files))
        {
            await stderr.WriteLineAsync($"error: {files} does not exist: pass the data directory of the node (--data-dir)");
            return ExitCodes.Usage;
        }

        using var client = S3Clients.Create(options);
        if (await BucketCheck.ProblemAsync(client, options, cancellationToken) is { } unreachable)
        {
            await stderr.WriteLineAsync($"error: {unreachable}");
            return ExitCodes.ServerError;
        }
        var report = await new BlobMigration(client, options.Bucket!, parallel).RunAsync(files, line =>
        {
            if (!json)
            {
                lock (stdout)
                {
                    stdout.WriteLine(line);
                }
            }
        }, cancellationToken);

        foreach (var failure in report.Failed)
        {
            await stderr.WriteLineAsync($"error: {failure}");
        }
        if (json)
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(new
            {
                bucket = options.Bucket,
                copied = report.Copied,
                copied_bytes = report.CopiedBytes,
                already_there = report.AlreadyThere,
                replaced = report.Replaced,
                skipped = report.Skipped,
                failed = report.Failed.Count,
            }));
        }
        else
        {
            var inv = CultureInfo.InvariantCulture;
            await stdout.WriteLineAsync(string.Create(inv,
                $"{files} -> bucket {options.Bucket}: copied {report.Copied} ({report.CopiedBytes} bytes), already there {report.AlreadyThere}, replaced {report.Replaced}, skipped {report.Skipped.Count}, failed {report.Failed.Count}"));
            foreach (var name in report.Skipped)
            {
                await stdout.WriteLineAsync($"skipped (not an Easel blob name): {name}");
            }
        }
        // Failures are worth a second run, which copies only what is still missing.
        return report.Failed.Count == 0 ? ExitCodes.Success : ExitCodes.ServerError;
    }
}
