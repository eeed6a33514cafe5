using System.Net;
using Easel.Core.Outbound;

namespace Easel.Core.Tests.Outbound;

/// <summary>Which addresses an outbound request may reach (API.md section 7), and the literal-host check made at create.</summary>
public sealed class AddressPolicyTests
{
    private static readonly AddressPolicy Default = new(new OutboundOptions());

    public static TheoryData<string, string> RefusedAddresses() => new()
    {
        { "127.0.0.1", "loopback" },
        { "127.255.255.254", "loopback, top of 127/8" },
        { "127.0.1.1", "loopback (Debian's hostname address)" },
        { "0.0.0.0", "unspecified" },
        { "0.1.2.3", "this network, 0/8" },
        { "10.0.0.1", "private 10/8" },
        { "10.255.255.255", "private 10/8, top" },
        { "172.16.0.1", "private 172.16/12, bottom" },
        { "172.20.10.1", "private 172.16/12" },
        { "172.31.255.254", "private 172.16/12, top" },
        { "192.168.0.1", "private 192.168/16" },
        { "192.168.255.255", "private 192.168/16, top" },
        { "169.254.169.254", "link-local, cloud metadata" },
        { "169.254.0.1", "link-local" },
        { "100.64.0.1", "CGNAT 100.64/10, bottom" },
        { "100.127.255.254", "CGNAT 100.64/10, top" },
        { "224.0.0.1", "multicast" },
        { "239.255.255.250", "multicast (SSDP)" },
        { "240.0.0.1", "reserved 240/4" },
        { "255.255.255.255", "broadcast" },
        { "198.18.0.1", "benchmarking 198.18/15" },
        { "198.19.255.254", "benchmarking 198.18/15, top" },
        { "192.0.0.1", "IETF protocol assignments" },
        { "192.0.2.1", "TEST-NET-1" },
        { "198.51.100.1", "TEST-NET-2" },
        { "203.0.113.1", "TEST-NET-3" },
        { "::1", "IPv6 loopback" },
        { "::", "IPv6 unspecified" },
        { "fc00::1", "unique local fc00::/7" },
        { "fd12::1", "unique local fd00::/8" },
        { "fdff:ffff:ffff::1", "unique local, top" },
        { "fe80::1", "link-local fe80::/10" },
        { "febf::1", "link-local fe80::/10, top" },
        { "fe80::1%2", "link-local with a zone" },
        { "fec0::1", "site-local (deprecated)" },
        { "ff02::1", "multicast all-nodes" },
        { "ff05::1:3", "multicast site-local" },
        { "::ffff:127.0.0.1", "IPv4-mapped loopback" },
        { "::ffff:10.0.0.1", "IPv4-mapped private" },
        { "::ffff:192.168.1.1", "IPv4-mapped private" },
        { "::ffff:169.254.169.254", "IPv4-mapped metadata" },
        { "::ffff:0.0.0.0", "IPv4-mapped unspecified" },
        { "::127.0.0.1", "IPv4-compatible loopback" },
        { "::10.0.0.1", "IPv4-compatible private" },
        { "64:ff9b::10.0.0.1", "NAT64 of private" },
        { "::ffff:0:127.0.0.1", "IPv4-translated (SIIT) loopback" },
        { "::ffff:0:10.0.0.1", "IPv4-translated (SIIT) private" },
        { "64:ff9b::7f00:1", "NAT64 of loopback" },
        { "64:ff9b::a9fe:a9fe", "NAT64 of metadata" },
        { "2002:7f00:1::", "6to4 of loopback" },
        { "2002:a00:1::1", "6to4 of private" },
        { "2002:a9fe:a9fe::", "6to4 of metadata" },
        { "2001:db8::1", "documentation 2001:db8::/32" },
        { "2001::1", "Teredo 2001::/32" },
        { "100::1", "discard 100::/64" },
    };

    public static TheoryData<string, string> AllowedAddresses() => new()
    {
        { "8.8.8.8", "public" },
        { "1.1.1.1", "public" },
        { "93.184.216.34", "public" },
        { "9.255.255.255", "just below 10/8" },
        { "11.0.0.0", "just above 10/8" },
        { "172.15.255.255", "just below 172.16/12" },
        { "172.32.0.0", "just above 172.16/12" },
        { "192.167.255.255", "just below 192.168/16" },
        { "192.169.0.0", "just above 192.168/16" },
        { "100.63.255.255", "just below 100.64/10" },
        { "100.128.0.0", "just above 100.64/10" },
        { "169.253.255.255", "just below 169.254/16" },
        { "198.17.255.255", "just below 198.18/15" },
        { "198.20.0.0", "just above 198.18/15" },
        { "223.255.255.255", "just below multicast" },
        { "126.255.255.255", "just below loopback" },
        { "128.0.0.0", "just above loopback" },
        { "1.0.0.0", "just above 0/8" },
        { "2606:4700::1111", "public IPv6" },
        { "2001:4860:4860::8888", "public IPv6" },
        { "::ffff:8.8.8.8", "IPv4-mapped public" },
        { "::ffff:0:8.8.8.8", "IPv4-translated public" },
        { "64:ff9b::808:808", "NAT64 of public" },
        { "2002:808:808::", "6to4 of public" },
        { "2001:db9::1", "just above the documentation range" },
    };

    [Theory]
    [MemberData(nameof(RefusedAddresses))]
    public void A_non_public_address_is_refused_by_default(string address, string why)
    {
        var ip = IPAddress.Parse(address);
        Assert.True(AddressPolicy.IsRefused(ip), $"{address} ({why}) must be refused");
        Assert.False(Default.IsAllowed(ip), $"{address} ({why}) must not be allowed");
    }

    [Theory]
    [MemberData(nameof(AllowedAddresses))]
    public void A_public_address_is_allowed_by_default(string address, string why)
    {
        var ip = IPAddress.Parse(address);
        Assert.False(AddressPolicy.IsRefused(ip), $"{address} ({why}) must not be refused");
        Assert.True(Default.IsAllowed(ip), $"{address} ({why}) must be allowed");
    }

    [Fact]
    public void The_refused_table_holds_at_least_forty_addresses() => Assert.True(RefusedAddresses().Count >= 40);

    [Theory]
    [InlineData("http://2130706433/", "127.0.0.1")]
    [InlineData("http://0x7f000001/", "127.0.0.1")]
    [InlineData("http://017700000001/", "127.0.0.1")]
    [InlineData("http://127.1/", "127.0.0.1")]
    [InlineData("http://0177.0.0.1/", "127.0.0.1")]
    [InlineData("http://0x7f.1/", "127.0.0.1")]
    [InlineData("http://127.000.000.001/", "127.0.0.1")]
    [InlineData("http://0/", "0.0.0.0")]
    [InlineData("http://167772161/cb", "10.0.0.1")]
    [InlineData("http://0xa9.0xfe.0xa9.0xfe/latest", "169.254.169.254")]
    public void An_odd_ipv4_spelling_is_canonicalised_by_uri_and_refused(string url, string canonical)
    {
        var uri = new Uri(url);
        Assert.Equal(UriHostNameType.IPv4, uri.HostNameType);
        Assert.Equal(canonical, uri.Host);
        Assert.False(Default.IsLiteralHostAllowed(uri), $"{url} reaches {canonical}");
    }

    [Theory]
    [InlineData("http://localhost/")]
    [InlineData("http://LOCALHOST:8080/cb")]
    [InlineData("http://api.localhost/")]
    [InlineData("http://127.0.0.1/")]
    [InlineData("https://10.0.0.1:8443/cb")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[::1]/")]
    [InlineData("http://[::ffff:7f00:1]/")]
    [InlineData("http://[0:0:0:0:0:ffff:127.0.0.1]/")]
    [InlineData("http://[fe80::1%25eth0]/")]
    [InlineData("http://[fd00::1]:8080/")]
    [InlineData("http://[64:ff9b::7f00:1]/")]
    [InlineData("http://user:pass@127.0.0.1/")]
    public void A_url_naming_a_refused_address_or_localhost_is_refused(string url)
    {
        Assert.False(Default.IsLiteralHostAllowed(new Uri(url)), url);
    }

    [Theory]
    [InlineData("https://hooks.example.com/cb")]
    [InlineData("http://8.8.8.8/cb")]
    [InlineData("http://[2606:4700::1111]/cb")]
    [InlineData("http://[::ffff:8.8.8.8]/cb")]
    [InlineData("http://localhost.example.com/")]
    public void A_url_naming_a_public_address_or_another_name_passes_the_literal_check(string url)
    {
        // Names other than localhost are checked when they are resolved, by the guarded client.
        Assert.True(Default.IsLiteralHostAllowed(new Uri(url)), url);
    }

    [Theory]
    [InlineData("http://localhost./cb")]
    [InlineData("http://127.0.0.1./cb")]
    public void A_fully_qualified_localhost_spelling_is_refused_like_localhost(string url)
    {
        Assert.False(Default.IsLiteralHostAllowed(new Uri(url)), url);
    }

    [Theory]
    [MemberData(nameof(RefusedAddresses))]
    public void Allowing_private_networks_allows_every_address(string address, string why)
    {
        var policy = new AddressPolicy(new OutboundOptions { AllowPrivateNetworks = true });
        Assert.True(policy.IsAllowed(IPAddress.Parse(address)), $"{address} ({why})");
        Assert.True(policy.AllowsPrivateNetworks);
    }

    [Theory]
    [InlineData("http://localhost/")]
    [InlineData("http://127.0.0.1:5080/cb")]
    [InlineData("http://[::1]/")]
    [InlineData("http://2130706433/")]
    public void Allowing_private_networks_allows_every_literal_host(string url)
    {
        var policy = new AddressPolicy(new OutboundOptions { AllowPrivateNetworks = true });
        Assert.True(policy.IsLiteralHostAllowed(new Uri(url)), url);
    }

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("10.1.0.0", true)]
    [InlineData("10.1.255.255", true)]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("10.2.0.1", false)]
    [InlineData("10.0.255.255", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("8.8.8.8", true)]
    public void An_allowed_cidr_range_opens_only_its_own_addresses(string address, bool allowed)
    {
        var policy = new AddressPolicy(new OutboundOptions { AllowedHosts = { "10.1.0.0/16" } });
        Assert.Equal(allowed, policy.IsAllowed(IPAddress.Parse(address)));
    }

    [Fact]
    public void An_allowed_cidr_range_opens_literal_urls_inside_it()
    {
        var policy = new AddressPolicy(new OutboundOptions { AllowedHosts = { "10.1.0.0/16" } });
        Assert.True(policy.IsLiteralHostAllowed(new Uri("http://10.1.2.3/cb")));
        Assert.False(policy.IsLiteralHostAllowed(new Uri("http://10.2.0.1/cb")));
    }

    [Theory]
    [InlineData("10.1.128.0/17", "10.1.128.1", true)]
    [InlineData("10.1.128.0/17", "10.1.255.254", true)]
    [InlineData("10.1.128.0/17", "10.1.127.255", false)]
    [InlineData("192.168.1.10", "192.168.1.10", true)]
    [InlineData("192.168.1.10", "192.168.1.11", false)]
    [InlineData("192.168.1.10/32", "192.168.1.10", true)]
    [InlineData("fd00:1::/32", "fd00:1::5", true)]
    [InlineData("fd00:1::/32", "fd00:2::5", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("10.0.0.0/8", "::1", false)]
    public void An_allowed_address_or_range_matches_by_its_prefix_length(string entry, string address, bool allowed)
    {
        var policy = new AddressPolicy(new OutboundOptions { AllowedHosts = { entry } });
        Assert.Equal(allowed, policy.IsAllowed(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("fd00::/129")]
    [InlineData("10.0.0.0/-1")]
    public void An_invalid_range_is_refused_when_the_policy_is_built(string entry)
    {
        Assert.Throws<ArgumentException>(() => new AddressPolicy(new OutboundOptions { AllowedHosts = { entry } }));
    }

    [Fact]
    public void An_allowed_host_name_is_trusted_by_name_and_opens_localhost_only_when_named()
    {
        var policy = new AddressPolicy(new OutboundOptions { AllowedHosts = { "images.internal", "localhost" } });
        Assert.True(policy.IsHostAllowListed("images.internal"));
        Assert.True(policy.IsHostAllowListed("IMAGES.internal."));
        Assert.False(policy.IsHostAllowListed("other.internal"));
        Assert.True(policy.IsLiteralHostAllowed(new Uri("http://localhost:8080/")));
        Assert.False(policy.IsLiteralHostAllowed(new Uri("http://127.0.0.1:8080/")));
        Assert.False(policy.IsAllowed(IPAddress.Loopback));
    }

    [Fact]
    public void The_default_allows_no_private_network_and_names_no_host()
    {
        var options = new OutboundOptions();
        Assert.False(options.AllowPrivateNetworks);
        Assert.Empty(options.AllowedHosts);
        Assert.False(Default.IsHostAllowListed("localhost"));
    }
}
