using System.Net;
using Easel.Cli.CommandLine;
using Easel.Cli.Http;

namespace Easel.Cli.Tests;

/// <summary>
/// The statuses the administration verbs cannot provoke on a healthy server (402, 429, 413, 5xx) still map as
/// the README promises; the others are proven end to end in the verb tests.
/// </summary>
public sealed class ExitCodeTests
{
    [Theory]
    [InlineData(400, 7)]
    [InlineData(401, 3)]
    [InlineData(402, 6)]
    [InlineData(403, 4)]
    [InlineData(404, 5)]
    [InlineData(405, 7)]
    [InlineData(409, 6)]
    [InlineData(413, 7)]
    [InlineData(429, 6)]
    [InlineData(500, 10)]
    [InlineData(503, 10)]
    public void Each_status_maps_to_the_documented_exit_code(int status, int exitCode) =>
        Assert.Equal(exitCode, ExitCodes.ForStatus((HttpStatusCode)status));

    [Fact]
    public void A_unified_error_keeps_the_servers_message_code_and_param()
    {
        var error = EaselApiException.From(HttpStatusCode.Conflict,
            """{"error":{"code":"conflict","message":"The adjustment would take the balance below zero","type":"invalid_request_error","param":"amount"}}""");

        Assert.Equal("The adjustment would take the balance below zero", error.Message);
        Assert.Equal("conflict", error.Code);
        Assert.Equal("amount", error.Param);
    }

    [Fact]
    public void A_rate_limited_answer_says_when_to_retry()
    {
        var error = EaselApiException.From(HttpStatusCode.TooManyRequests,
            """{"error":{"code":"rate_limited","message":"Over the key's rate","type":"rate_limit_error"}}""", TimeSpan.FromSeconds(2.2));

        Assert.Equal("Over the key's rate (retry after 3 s)", error.Message);
    }

    [Fact]
    public void An_answer_that_is_not_our_error_shape_still_names_the_status()
    {
        var error = EaselApiException.From(HttpStatusCode.BadGateway, "<html>bad gateway</html>");

        Assert.StartsWith("HTTP 502 BadGateway", error.Message, StringComparison.Ordinal);
    }
}
