using Easel.Testing;
using System.Text.Json;
using Easel.Cli.Tests.Infrastructure;

namespace Easel.Cli.Tests;

[Collection(UsesEaselServer.Name)]
public sealed class KeyVerbTests(EaselServer server)
{
    [Fact]
    public async Task Keys_create_prints_the_secret_once_and_the_key_works()
    {
        var (id, _, _) = await server.CreateAccountAsync("Second Key");

        var run = await server.RunAsync("keys", "create", id, "--name", "ci", "--models", "mj-v7-edit,mj-v7-remix", "--rate", "30", "--burst", "5");

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split('\n', StringSplitOptions.TrimEntries);
        var secret = lines[Array.IndexOf(lines, "API key (shown only now; store it safely):") + 1];
        Assert.Contains("mj-v7-edit, mj-v7-remix", run.Stdout);
        Assert.Contains("30", run.Stdout);
        var own = await server.RunWithKeyAsync(secret, "account", "--json");
        Assert.True(own.ExitCode == 0, own.ToString());
        Assert.Equal(id, own.Json.RootElement.GetProperty("account_id").GetString());
    }

    [Fact]
    public async Task Keys_list_shows_an_accounts_keys_without_their_secrets()
    {
        var (id, firstSecret, firstKeyId) = await server.CreateAccountAsync("Listed Keys");
        var created = await server.RunAsync("keys", "create", id, "--name", "robot", "--json");
        var secondSecret = created.Json.RootElement.GetProperty("api_key").GetString()!;

        var table = await server.RunAsync("keys", "list", id);
        var json = await server.RunAsync("keys", "list", id, "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(firstKeyId, table.Stdout);
        Assert.Contains("robot", table.Stdout);
        Assert.DoesNotContain(firstSecret, table.Stdout);
        Assert.DoesNotContain(secondSecret, json.Stdout);
        Assert.Equal(2, json.Json.RootElement.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Keys_set_replaces_models_and_rate_and_clears_them_again()
    {
        var (_, _, keyId) = await server.CreateAccountAsync("Key Settings");

        var limited = await server.RunAsync("keys", "set", keyId, "--models", "mj-v7-inpaint", "--rate", "60", "--burst", "10", "--json");
        var text = await server.RunAsync("keys", "set", keyId, "--burst", "4");
        var cleared = await server.RunAsync("keys", "set", keyId, "--all-models", "--no-rate", "--json");

        Assert.True(limited.ExitCode == 0, limited.ToString());
        var key = limited.Json.RootElement;
        Assert.Equal(["mj-v7-inpaint"], key.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(60, key.GetProperty("rate_per_minute").GetInt32());
        Assert.Equal(10, key.GetProperty("burst").GetInt32());
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("mj-v7-inpaint", text.Stdout);
        Assert.True(cleared.ExitCode == 0, cleared.ToString());
        // The server leaves null fields out of its answers: absent and null both mean "no list", "no limit".
        Assert.True(NullOrAbsent(cleared.Json.RootElement, "models"), cleared.Stdout);
        Assert.True(NullOrAbsent(cleared.Json.RootElement, "rate_per_minute"), cleared.Stdout);
        Assert.True(NullOrAbsent(cleared.Json.RootElement, "burst"), cleared.Stdout);
    }

    [Fact]
    public async Task Keys_set_with_an_unknown_model_is_an_invalid_request_exiting_7()
    {
        var (_, _, keyId) = await server.CreateAccountAsync("Unknown Model");

        var run = await server.RunAsync("keys", "set", keyId, "--models", "dall-e-9");

        Assert.Equal(7, run.ExitCode);
        Assert.Contains("dall-e-9", run.Stderr);
    }

    [Theory]
    [InlineData("--models", "mj-v7-edit", "--all-models")]
    [InlineData("--rate", "5", "--no-rate")]
    public async Task Keys_set_with_contradicting_options_is_a_usage_error_before_any_request(string option, string value, string opposite)
    {
        // No server listens at this URL: a 2 rather than a 10 shows the refusal came before any request.
        var run = await EaselCli.RunAsync("keys", "set", "key_any", option, value, opposite, "--url", $"http://127.0.0.1:{ServerProcess.FreePort()}", "--key", "k");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("cannot be used together", run.Stderr);
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task Keys_set_with_nothing_to_change_is_a_usage_error()
    {
        var run = await server.RunAsync("keys", "set", "key_any");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Nothing to change", run.Stderr);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_at_once_with_exit_3()
    {
        var (id, _, _) = await server.CreateAccountAsync("Revoked");
        var created = await server.RunAsync("keys", "create", id, "--json");
        var keyId = created.Json.RootElement.GetProperty("key_id").GetString()!;
        var secret = created.Json.RootElement.GetProperty("api_key").GetString()!;

        var revoke = await server.RunAsync("keys", "revoke", keyId);
        var after = await server.RunWithKeyAsync(secret, "account");

        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        Assert.Contains(keyId, revoke.Stdout);
        Assert.Equal(3, after.ExitCode);
        Assert.NotEmpty(after.Stderr);
    }

    [Fact]
    public async Task Revoking_an_unknown_key_exits_5()
    {
        var run = await server.RunAsync("keys", "revoke", "key_nobody");

        Assert.Equal(5, run.ExitCode);
        Assert.Contains("key_nobody", run.Stderr);
    }

    private static bool NullOrAbsent(JsonElement element, string name) =>
        !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null;
}
