namespace Easel.Server.Tests.Infrastructure;

/// <summary>
/// One host and one account shared by the tests of a class whose requests are all refused at validation, so
/// they create nothing. It runs with the production default for outbound addresses (private networks refused),
/// which is what decides whether a callback to a literal private address is refused at create.
/// </summary>
public sealed class ValidationHost : IAsyncLifetime
{
    public EaselHost Host { get; } = new(new Dictionary<string, string?> { ["Easel:Outbound:AllowPrivateNetworks"] = "false" });

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync() => Client = await Host.NewAccountAsync("validation");

    public Task DisposeAsync()
    {
        Client.Dispose();
        Host.Dispose();
        return Task.CompletedTask;
    }
}
