using System.CommandLine;
using System.Net.Sockets;
using Easel.Cli.Http;

namespace Easel.Cli.CommandLine;

/// <summary>What a verb's body gets: a client for the chosen server and key, and the output in the chosen form.</summary>
internal sealed record VerbContext(EaselClient Client, Output Output, ParseResult Parse);

/// <summary>
/// Runs a verb's body and turns every way it can end into one exit code and at most one line on stderr:
/// the server's refusals by status, an unreachable server as 10. Anything else is a bug and is left to crash.
/// </summary>
internal sealed class VerbRunner(GlobalOptions globals, TextWriter stdout, TextWriter stderr)
{
    public void SetAction(Command command, Func<VerbContext, CancellationToken, Task> body)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(body);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, async (context, token) =>
        {
            await body(context, token);
            return ExitCodes.Success;
        }, cancellationToken));
    }

    /// <summary>For a verb whose outcome is more than success or a refusal: submit answers the task's own end.</summary>
    public void SetAction(Command command, Func<VerbContext, CancellationToken, Task<int>> body)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.SetAction((parse, cancellationToken) => RunAsync(parse, body, cancellationToken));
    }

    private async Task<int> RunAsync(ParseResult parse, Func<VerbContext, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        var url = new Uri(parse.GetRequiredValue(globals.Url));
        var key = globals.KeyOf(parse);
        if (key is null)
        {
            await stderr.WriteLineAsync("error: no API key: pass --key or set EASEL_KEY");
            return ExitCodes.NotAuthenticated;
        }
        using var client = new EaselClient(url, key);
        var output = new Output(stdout, stderr, parse.GetValue(globals.Json));
        try
        {
            return await body(new VerbContext(client, output, parse), cancellationToken);
        }
        catch (EaselApiException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}{(e.Param is null ? "" : $" (param: {e.Param})")}");
            return e.Status is { } status ? ExitCodes.ForStatus(status) : ExitCodes.ServerError;
        }
        catch (HttpRequestException e) when (e.StatusCode is null)
        {
            var reason = e.InnerException is SocketException socket ? socket.Message : e.Message;
            await stderr.WriteLineAsync($"error: cannot reach Easel at {client.BaseUrl}: {reason}");
            return ExitCodes.ServerError;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync($"error: Easel at {client.BaseUrl} did not answer in time");
            return ExitCodes.ServerError;
        }
    }
}
