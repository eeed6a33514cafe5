using Easel.Server.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Easel.Server.Tests.ScaleOut;

/// <summary>Easel:Database settings that cannot work stop the start with a message that says what to set.</summary>
public sealed class DatabaseSettingsTests
{
    [Fact]
    public void Postgres_without_a_connection_string_does_not_start()
    {
        using var host = new EaselHost(new() { ["Easel:Database:Provider"] = "postgres" });
        var refused = Assert.ThrowsAny<OptionsValidationException>(() => host.CreateClient());
        Assert.Contains("Easel:Database:ConnectionString", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_provider_does_not_start()
    {
        using var host = new EaselHost(new() { ["Easel:Database:Provider"] = "mysql" });
        var refused = Assert.ThrowsAny<OptionsValidationException>(() => host.CreateClient());
        Assert.Contains("'sqlite' or 'postgres'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_connection_string_does_not_start_and_is_not_echoed()
    {
        using var host = new EaselHost(new()
        {
            ["Easel:Database:Provider"] = "postgres",
            ["Easel:Database:ConnectionString"] = "Host=127.0.0.1;Password=secret-value;NoSuchKeyword=1",
        });
        var refused = Assert.ThrowsAny<ArgumentException>(() => host.CreateClient());
        Assert.Contains("Easel:Database:ConnectionString", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", refused.Message, StringComparison.Ordinal);
    }
}
