namespace Easel.Engines.Upstream;

/// <summary>
/// Results carried in the answer itself as <c>data:[&lt;type&gt;];base64,&lt;payload&gt;</c> (RFC 2397). Only the base64
/// form is read: an image in percent-encoding is no upstream's answer. The type is not trusted (the bytes are
/// identified afterwards like a fetched result's); the size is, before a byte is decoded.
/// </summary>
public static class DataUrl
{
    /// <summary>How many base64 characters carry <paramref name="bytes"/> bytes (padding included).</summary>
    public static long Base64Length(long bytes) => (bytes + 2) / 3 * 4;

    public static byte[] Decode(Uri url, int index, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(url);
        return Decode(url.OriginalString, index, maxBytes);
    }

    /// <summary>A data: URL as text: its base64 payload decoded within <paramref name="maxBytes"/>.</summary>
    public static byte[] Decode(string text, int index, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        var comma = text.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0 || !text.StartsWith("data:", StringComparison.OrdinalIgnoreCase)
            || !text.AsSpan(0, comma).EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
        {
            throw new UpstreamResultException($"result {index} of the upstream is a data: URL that is not base64");
        }
        return DecodeBase64(text.AsSpan(comma + 1), index, maxBytes);
    }

    /// <summary>An image's base64 as an answer carried it, decoded within <paramref name="maxBytes"/> (checked on its length first).</summary>
    public static byte[] DecodeBase64(ReadOnlySpan<char> payload, int index, int maxBytes)
    {
        // Four characters carry three bytes: the limit holds before decoding, whatever the payload says.
        var most = (payload.Length / 4 * 3) + 3;
        if (payload.Length > Base64Length(maxBytes) + 4)
        {
            throw new UpstreamResultException($"result {index} of the upstream is over the limit of {maxBytes} bytes");
        }
        var bytes = new byte[most];
        if (!Convert.TryFromBase64Chars(payload, bytes, out var written))
        {
            throw new UpstreamResultException($"result {index} of the upstream carries base64 that is malformed; it is not an image");
        }
        if (written > maxBytes)
        {
            throw new UpstreamResultException($"result {index} of the upstream is over the limit of {maxBytes} bytes");
        }
        return bytes.AsSpan(0, written).ToArray();
    }
}
