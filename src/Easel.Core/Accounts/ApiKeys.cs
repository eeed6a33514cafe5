using System.Security.Cryptography;
using System.Text;

namespace Easel.Core.Accounts;

/// <summary>
/// Keys are 256 random bits shown once and stored only as their SHA-256: a leaked database yields no usable
/// key, and a fast hash is enough because the keys have full entropy (no dictionary to try).
/// </summary>
public static class ApiKeys
{
    public const string Prefix = "esk_";

    public static string Generate() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Constant-time: the time taken does not say how many leading bytes matched.</summary>
    public static bool Matches(ReadOnlySpan<byte> storedHash, string presentedKey) =>
        CryptographicOperations.FixedTimeEquals(storedHash, Hash(presentedKey));

    /// <summary>The key of an account's callback signatures: 256 random bits, hex.</summary>
    public static string NewWebhookSecret() => "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string NewId(string prefix) => prefix + Base64Url(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant().Replace('-', 'x').Replace('_', 'y');

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
