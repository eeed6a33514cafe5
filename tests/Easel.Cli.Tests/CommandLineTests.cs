using Easel.Testing;
using System.CommandLine;
using Easel.Cli.CommandLine;
using Easel.Cli.Tests.Infrastructure;

namespace Easel.Cli.Tests;

[Collection(UsesEaselServer.Name)]
public sealed class CommandLineTests(EaselServer server)
{
    public static TheoryData<string> Verbs()
    {
        var data = new TheoryData<string>();
        void Walk(Command command, string path)
        {
            data.Add(path);
            foreach (var sub in command.Subcommands)
            {
                Walk(sub, (path + " " + sub.Name).Trim());
            }
        }
        Walk(EaselCommand.Build(_ => null, TextWriter.Null, TextWriter.Null), "");
        return data;
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Every_verb_has_help_that_lists_the_exit_codes(string verb)
    {
        var run = await EaselCli.RunAsync([.. verb.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Stdout);
        Assert.Contains("Exit codes:", run.Stdout);
        Assert.Contains("10  server error (5xx) or cannot connect", run.Stdout);
    }

    [Theory]
    [InlineData("accounts", "frobnicate")]
    [InlineData("accounts", "create")]
    [InlineData("ledger", "acct_x", "--limit", "many")]
    [InlineData("accounts", "list", "--url", "not a url")]
    [InlineData]
    public async Task Bad_usage_exits_2_with_the_reason_on_stderr_and_nothing_on_stdout(params string[] args)
    {
        var run = await EaselCli.RunAsync([.. args, "--key", "k"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--help", run.Stderr);
    }

    [Fact]
    public async Task A_wrong_key_exits_3_with_the_servers_message()
    {
        var run = await server.RunWithKeyAsync("not-a-key-of-this-server", "accounts", "list");

        Assert.Equal(3, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_key_at_all_exits_3_and_says_how_to_give_one()
    {
        var run = await EaselCli.RunAsync("account", "--url", server.Url);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("EASEL_KEY", run.Stderr);
    }

    [Fact]
    public async Task No_server_listening_exits_10()
    {
        var url = $"http://127.0.0.1:{ServerProcess.FreePort()}";

        var run = await EaselCli.RunAsync("accounts", "list", "--url", url, "--key", "k");

        Assert.Equal(10, run.ExitCode);
        Assert.Contains("cannot reach Easel", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task The_url_and_key_come_from_EASEL_URL_and_EASEL_KEY_when_not_given()
    {
        var environment = new Dictionary<string, string?> { ["EASEL_URL"] = server.Url, ["EASEL_KEY"] = EaselServer.AdminKey };

        var run = await EaselCli.RunAsync(["account", "--json"], name => environment.GetValueOrDefault(name));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(run.Json.RootElement.GetProperty("is_admin").GetBoolean());
    }

    [Fact]
    public async Task Options_given_override_the_environment()
    {
        var environment = new Dictionary<string, string?> { ["EASEL_URL"] = "http://127.0.0.1:1", ["EASEL_KEY"] = "wrong" };

        var run = await EaselCli.RunAsync(["account", "--json", "--url", server.Url, "--key", EaselServer.AdminKey], name => environment.GetValueOrDefault(name));

        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Fact]
    public async Task The_help_never_shows_the_key_from_the_environment()
    {
        var run = await EaselCli.RunAsync(["account", "--help"], name => name == "EASEL_KEY" ? "super-secret-key" : null);

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("super-secret-key", run.Stdout);
    }
}
