using System.Net;
using Easel.Core.Outbound;
using Easel.Server.Tests.Infrastructure;
using Easel.Testing;

namespace Easel.Server.Tests.Outbound;

/// <summary>
/// With the allow-list off, the guarded client reaches none of these: loopback in every spelling, metadata
/// addresses, private ranges, IPv6 forms, names that resolve to private addresses, and a redirect from an
/// allowed host to a private one. Each refusal happens before a byte is sent to the refused address.
/// </summary>
public sealed class HostileUrlTests
{
    public static TheoryData<string> Hostile => new()
    {
        "http://127.0.0.1/x.png", "http://127.1/x.png", "http://127.0.1.1/x.png", "http://2130706433/x.png",
        "http://0x7f000001/x.png", "http://017700000001/x.png", "http://0x7f.1/x.png", "http://0177.0.0.1/x.png",
        "http://localhost/x.png", "http://localhost./x.png", "http://LOCALHOST/x.png", "http://0/x.png", "http://0.0.0.0/x.png",
        "http://169.254.169.254/latest/meta-data/", "http://169.254.170.2/v2/credentials", "http://[fd00:ec2::254]/latest/",
        "http://10.0.0.1/x.png", "http://10.255.255.255/x.png", "http://172.16.0.1/x.png", "http://172.31.255.254/x.png",
        "http://192.168.0.1/x.png", "http://192.168.255.255/x.png", "http://100.64.0.1/x.png", "http://100.127.255.254/x.png",
        "http://224.0.0.1/x.png", "http://255.255.255.255/x.png", "http://198.18.0.1/x.png", "http://240.0.0.1/x.png",
        "http://[::1]/x.png", "http://[::]/x.png", "http://[::ffff:127.0.0.1]/x.png", "http://[::ffff:10.0.0.1]/x.png",
        "http://[::ffff:169.254.169.254]/x.png", "http://[::127.0.0.1]/x.png", "http://[fe80::1]/x.png", "http://[fc00::1]/x.png",
        "http://[fd12:3456::1]/x.png", "http://[ff02::1]/x.png", "http://[64:ff9b::a00:1]/x.png", "http://[64:ff9b::7f00:1]/x.png",
        "http://[2002:7f00:1::]/x.png", "http://[2002:a00:1::]/x.png", "https://127.0.0.1:443/x.png", "http://127.0.0.1:22/",
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task An_image_url_to_a_refused_address_is_refused(string url)
    {
        using var client = new GuardedHttpClient(new AddressPolicy(new OutboundOptions()), new OutboundOptions());
        var refused = await Assert.ThrowsAsync<OutboundException>(() => client.GetBytesAsync(new Uri(url), CancellationToken.None));
        Assert.True(refused.Message.Contains("private or reserved address", StringComparison.Ordinal)
            || refused.Message.Contains("does not resolve", StringComparison.Ordinal), refused.Message);
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_callback_to_a_refused_address_is_refused(string url)
    {
        using var client = new GuardedHttpClient(new AddressPolicy(new OutboundOptions()), new OutboundOptions());
        var refused = await Assert.ThrowsAsync<OutboundException>(() => client.PostJsonAsync(new Uri(url), "{}", new Dictionary<string, string>(), TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.Contains("could not be reached", refused.Message);
    }

    [Fact]
    public async Task The_machines_own_name_resolves_privately_and_is_refused()
    {
        var name = Dns.GetHostName();
        using var client = new GuardedHttpClient(new AddressPolicy(new OutboundOptions()), new OutboundOptions());
        var refused = await Assert.ThrowsAsync<OutboundException>(() => client.GetBytesAsync(new Uri($"http://{name}:9/x.png"), CancellationToken.None));
        Assert.Contains("private or reserved address", refused.Message);
    }

    [Fact]
    public async Task An_allowed_host_that_redirects_to_a_private_address_is_refused_at_the_hop()
    {
        await using var images = await ImageServer.StartAsync();
        var hop = images.Handle("/go", http =>
        {
            http.Response.StatusCode = 302;
            http.Response.Headers.Location = "http://169.254.169.254/latest/meta-data/";
            return Task.CompletedTask;
        });
        var options = new OutboundOptions();
        options.AllowedHosts.Add("127.0.0.1");
        using var client = new GuardedHttpClient(new AddressPolicy(options), options);
        var refused = await Assert.ThrowsAsync<OutboundException>(() => client.GetBytesAsync(new Uri(hop), CancellationToken.None));
        Assert.Contains("169.254.169.254", refused.Message);
        Assert.Equal(1, images.Hits("/go"));
    }
}
