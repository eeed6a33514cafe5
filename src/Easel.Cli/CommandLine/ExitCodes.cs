using System.Net;

namespace Easel.Cli.CommandLine;

/// <summary>The exit codes scripts can rely on; one table, printed in the help and in README.md.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Usage = 2;
    public const int NotAuthenticated = 3;
    public const int Forbidden = 4;
    public const int NotFound = 5;
    public const int Refused = 6;
    public const int InvalidRequest = 7;
    public const int TaskFailed = 8;
    public const int TaskCancelled = 9;
    public const int ServerError = 10;
    public const int Interrupted = 130;

    public const string Epilog = """
        Exit codes:
          0   success
          2   usage error (unknown verb or option, missing or malformed argument)
          3   not authenticated (401: no key, unknown or revoked key)
          4   forbidden (403: not an admin key, model not allowed)
          5   not found (404)
          6   conflict or refused (409, 402 insufficient credits, 429 rate limited)
          7   invalid request (400, 413)
          8   the task failed (submit: its error code and message are printed)
          9   the task was cancelled (submit)
          10  server error (5xx) or cannot connect
          130 interrupted (Ctrl-C while submit follows a task)
        """;

    public static int ForStatus(HttpStatusCode status) => (int)status switch
    {
        401 => NotAuthenticated,
        403 => Forbidden,
        404 => NotFound,
        402 or 409 or 429 => Refused,
        >= 400 and < 500 => InvalidRequest,
        _ => ServerError,
    };
}
