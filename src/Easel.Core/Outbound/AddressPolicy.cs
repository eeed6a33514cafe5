using System.Net;
using System.Net.Sockets;

namespace Easel.Core.Outbound;

/// <summary>
/// Which addresses an outbound request may reach (API.md section 7). Public unicast only, unless the operator
/// allows private networks or names hosts and ranges; the default allows none of them.
/// </summary>
public sealed class AddressPolicy(OutboundOptions options, AllowedEndpoints? endpoints = null)
{
    private readonly AllowedEndpoints _endpoints = endpoints ?? new AllowedEndpoints([]);

    /// <summary>
    /// True for the host and port of a configured upstream engine: reachable whatever its address (a private
    /// upstream, another Easel on loopback), and nothing else on that address is opened by it.
    /// </summary>
    public bool IsEndpointAllowed(string host, int port) => _endpoints.Contains(host, port);

    private readonly IReadOnlyList<(IPAddress Network, int PrefixLength)> _allowedRanges = ParseRanges(options.AllowedHosts);
    private readonly HashSet<string> _allowedHosts = new(
        options.AllowedHosts.Where(h => !h.Contains('/', StringComparison.Ordinal) && !IPAddress.TryParse(h, out _)),
        StringComparer.OrdinalIgnoreCase);

    public bool AllowsPrivateNetworks => options.AllowPrivateNetworks;

    /// <summary>True when the host was named by the operator: its addresses are trusted as they resolve.</summary>
    public bool IsHostAllowListed(string host) => _allowedHosts.Contains(host.TrimEnd('.'));

    public bool IsAllowed(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (options.AllowPrivateNetworks || !IsRefused(address))
        {
            return true;
        }
        var candidate = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return _allowedRanges.Any(r => InRange(candidate, r.Network, r.PrefixLength));
    }

    /// <summary>For a URL checked before any request (callbacks at create): refuses literal addresses only.</summary>
    public bool IsLiteralHostAllowed(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        // "localhost." and "127.0.0.1." name the same hosts as without the dot; Uri keeps it, so it goes here.
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host.TrimEnd('.');
        if (IPAddress.TryParse(host, out var address))
        {
            return IsAllowed(address);
        }
        return options.AllowPrivateNetworks || IsHostAllowListed(host) || !IsLocalName(host);
    }

    /// <summary>Names that mean this machine whatever DNS says: refused before any lookup, unless private networks are allowed.</summary>
    public bool IsRefusedName(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.TrimEnd('.');
        return !options.AllowPrivateNetworks && !IsHostAllowListed(name) && IsLocalName(name);
    }

    private static bool IsLocalName(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>Loopback, private, link-local, CGNAT, multicast, reserved and their IPv6 spellings.</summary>
    public static bool IsRefused(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return IsRefusedV4(address.GetAddressBytes());
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return true;
        }
        var b = address.GetAddressBytes();
        if (address.IsIPv4MappedToIPv6)
        {
            return IsRefusedV4(b.AsSpan(12, 4));
        }
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
        {
            return true; // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d
        }
        if (b.AsSpan(0, 8).IndexOfAnyExcept((byte)0) < 0 && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0)
        {
            return IsRefusedV4(b.AsSpan(12, 4)); // IPv4-translated ::ffff:0:a.b.c.d (SIIT)
        }
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)
        {
            return b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) >= 0 || IsRefusedV4(b.AsSpan(12, 4)); // NAT64 64:ff9b::/96
        }
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return IsRefusedV4(b.AsSpan(2, 4)); // 6to4 2002::/16 carries an IPv4 address
        }
        return (b[0] & 0xfe) == 0xfc                          // fc00::/7 unique local
            || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)         // fe80::/10 link-local
            || (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)         // fec0::/10 site-local (deprecated)
            || b[0] == 0xff                                    // ff00::/8 multicast
            || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) // 2001:db8::/32 documentation
            || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00) // 2001::/32 Teredo hides an IPv4 peer
            || (b[0] == 0x01 && b[1] == 0x00 && b.AsSpan(2, 6).IndexOfAnyExcept((byte)0) < 0); // 100::/64 discard
    }

    private static bool IsRefusedV4(ReadOnlySpan<byte> a) =>
        a[0] == 0                                   // 0/8 "this network", unspecified
        || a[0] == 10                               // 10/8
        || a[0] == 127                              // loopback
        || (a[0] == 100 && (a[1] & 0xc0) == 64)     // 100.64/10 CGNAT
        || (a[0] == 169 && a[1] == 254)             // link-local, cloud metadata
        || (a[0] == 172 && (a[1] & 0xf0) == 16)     // 172.16/12
        || (a[0] == 192 && a[1] == 168)             // 192.168/16
        || (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2)) // IETF assignments, TEST-NET-1
        || (a[0] == 198 && (a[1] & 0xfe) == 18)     // 198.18/15 benchmarking
        || (a[0] == 198 && a[1] == 51 && a[2] == 100) // TEST-NET-2
        || (a[0] == 203 && a[1] == 0 && a[2] == 113)  // TEST-NET-3
        || a[0] >= 224;                             // multicast, reserved, broadcast

    private static List<(IPAddress, int)> ParseRanges(IEnumerable<string> entries)
    {
        var ranges = new List<(IPAddress, int)>();
        foreach (var entry in entries)
        {
            var slash = entry.IndexOf('/', StringComparison.Ordinal);
            var text = slash < 0 ? entry : entry[..slash];
            if (!IPAddress.TryParse(text, out var network))
            {
                continue; // a host name, handled by IsHostAllowListed
            }
            var max = network.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            var prefix = slash < 0 ? max : int.Parse(entry[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            if (prefix < 0 || prefix > max)
            {
                throw new ArgumentException($"Outbound:AllowedHosts has an invalid range '{entry}'.");
            }
            ranges.Add((network, prefix));
        }
        return ranges;
    }

    private static bool InRange(IPAddress address, IPAddress network, int prefixLength)
    {
        if (address.AddressFamily != network.AddressFamily)
        {
            return false;
        }
        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        var fullBytes = prefixLength / 8;
        if (!a.AsSpan(0, fullBytes).SequenceEqual(n.AsSpan(0, fullBytes)))
        {
            return false;
        }
        var rest = prefixLength % 8;
        if (rest == 0)
        {
            return true;
        }
        var mask = (byte)(0xff << (8 - rest));
        return (a[fullBytes] & mask) == (n[fullBytes] & mask);
    }
}

/// <summary>The host:port pairs of the configured upstream engines' base URLs (API.md section 10).</summary>
public sealed class AllowedEndpoints(IEnumerable<Uri> baseUrls)
{
    private readonly HashSet<string> _endpoints = baseUrls.Select(u => Key(u.IdnHost, u.Port)).ToHashSet(StringComparer.OrdinalIgnoreCase);

    public bool Contains(string host, int port) => _endpoints.Contains(Key(host, port));

    private static string Key(string host, int port) => $"{host.Trim('[', ']').TrimEnd('.')}:{port}";
}

public sealed class OutboundOptions
{
    /// <summary>Lets outbound requests reach private and loopback addresses: for tests and local development.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Host names, addresses or CIDR ranges allowed although private (a private upstream, say).</summary>
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>
    /// SHA-256 fingerprints (hex) of TLS certificates trusted although no public CA signed them: a private
    /// upstream or receiver, and the tests' own HTTPS servers. The default trusts only the system's CAs.
    /// </summary>
    public IList<string> TrustedCertificates { get; } = [];

    public int MaxImageBytes { get; set; } = 20 * 1024 * 1024;

    public TimeSpan ImageTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public int MaxRedirects { get; set; } = 3;
}
