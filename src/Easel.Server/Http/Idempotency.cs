using System.Security.Cryptography;
using System.Text;
using Easel.Core.Tasks;

namespace Easel.Server.Http;

internal static class Idempotency
{
    public const string Header = "Idempotency-Key";
    public const int MaxKeyLength = 255;

    /// <summary>
    /// The key of the request, tied to what was asked: the path (so a key reused across dialects is a different
    /// request) and the body's bytes. Null without the header; a key that is too long is refused by the caller.
    /// </summary>
    public static (IdempotencyRequest? Request, string? Problem) From(HttpRequest request, byte[] bodySha256)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = request.Headers[Header].ToString();
        if (string.IsNullOrEmpty(key))
        {
            return (null, null);
        }
        if (key.Length > MaxKeyLength)
        {
            return (null, $"{Header} may be at most {MaxKeyLength} characters");
        }
        var hash = SHA256.HashData([.. Encoding.UTF8.GetBytes(request.Path.Value ?? ""), .. bodySha256]);
        return (new IdempotencyRequest(key, hash), null);
    }
}
