using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Easel.Core.Callbacks;

/// <summary>
/// The Standard Webhooks form of a callback's signature, so receivers can verify with an off-the-shelf library:
/// webhook-signature: v1,&lt;base64 HMAC-SHA256 of "&lt;webhook-id&gt;.&lt;webhook-timestamp&gt;.&lt;body&gt;"&gt;.
/// </summary>
/// <remarks>
/// The key is what the libraries derive from a secret: the text after the "whsec_" prefix, base64-decoded. Easel's
/// account secrets are "whsec_" + 64 hex digits (new accounts, and the SQLite migration that filled older ones), and
/// hex digits are base64 characters, so that text is valid base64 of 48 bytes (within the 24-64 the specification
/// asks) carrying all 256 random bits: every stored secret works as it is, with no migration, and the
/// Easel-Signature keyed with the same secret's text is untouched. A secret whose text is not base64 (none Easel
/// makes; a row written by hand) is used as its raw bytes, which the libraries verify in their "raw" secret format.
/// </remarks>
public static class StandardWebhookSignature
{
    private const string Prefix = "whsec_";

    /// <summary>The HMAC key a Standard Webhooks library derives from <paramref name="secret"/>.</summary>
    public static byte[] Key(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var encoded = secret.StartsWith(Prefix, StringComparison.Ordinal) ? secret[Prefix.Length..] : secret;
        var key = new byte[encoded.Length / 4 * 3 + 3];
        // Convert would also accept whitespace inside the text, which the libraries refuse: such a secret is raw.
        return !encoded.Any(char.IsWhiteSpace) && Convert.TryFromBase64String(encoded, key, out var length) && length > 0
            ? key[..length]
            : Encoding.UTF8.GetBytes(secret);
    }

    /// <summary>The webhook-signature value for one attempt: a single v1 signature.</summary>
    public static string Sign(string secret, string messageId, long unixSeconds, string body)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        ArgumentNullException.ThrowIfNull(body);
        var signed = $"{messageId}.{unixSeconds.ToString(CultureInfo.InvariantCulture)}.{body}";
        var mac = HMACSHA256.HashData(Key(secret), Encoding.UTF8.GetBytes(signed));
        return "v1," + Convert.ToBase64String(mac);
    }
}
