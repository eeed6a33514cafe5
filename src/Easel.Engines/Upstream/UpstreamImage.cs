namespace Easel.Engines.Upstream;

/// <summary>
/// One result as an upstream gave it, for re-hosting to fetch or decode and check: a URL (fetched through the guarded
/// client), or the image carried in the answer itself, as base64 text (OpenAI's <c>b64_json</c>, A1111's <c>images</c>,
/// the payload of a cog <c>data:</c> URL) or as bytes already read within a limit (ComfyUI's <c>/view</c>). Kept as it
/// came rather than wrapped in a <c>data:</c> <see cref="Uri"/>: building and parsing a Uri of a megabyte-long data:
/// URL costs milliseconds per image, and wrapping bytes meant encoding them to base64 only to decode them again.
/// </summary>
public sealed class UpstreamImage
{
    private UpstreamImage(Uri? url, string? dataUrl, string? base64, byte[]? bytes)
    {
        Url = url;
        DataUrlText = dataUrl;
        Base64 = base64;
        Bytes = bytes;
    }

    /// <summary>An http(s) URL to fetch.</summary>
    public Uri? Url { get; }

    /// <summary>A <c>data:</c> URL as the upstream wrote it (decoded without ever becoming a Uri).</summary>
    public string? DataUrlText { get; }

    /// <summary>The image's base64, as the answer carried it (checked and decoded within the limit by re-hosting).</summary>
    public string? Base64 { get; }

    /// <summary>The image's bytes, read from the upstream within a limit.</summary>
    public byte[]? Bytes { get; }

    /// <summary>A URL to fetch; a <c>data:</c> one is kept as its text, decoded like any other.</summary>
    public static UpstreamImage At(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.Scheme == "data" ? OfDataUrl(url.OriginalString) : new UpstreamImage(url, null, null, null);
    }

    /// <summary>A <c>data:[type];base64,payload</c> URL as text (cog's outputs).</summary>
    public static UpstreamImage OfDataUrl(string dataUrl)
    {
        ArgumentNullException.ThrowIfNull(dataUrl);
        return new UpstreamImage(null, dataUrl, null, null);
    }

    public static UpstreamImage OfBase64(string base64)
    {
        ArgumentNullException.ThrowIfNull(base64);
        return new UpstreamImage(null, null, base64, null);
    }

    public static UpstreamImage OfBytes(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new UpstreamImage(null, null, null, bytes);
    }

    /// <summary>Each URL as a result (the adapters whose results are URLs).</summary>
    public static IReadOnlyList<UpstreamImage> AtAll(IEnumerable<Uri> urls) => urls.Select(At).ToList();

    /// <summary>For logs and test output: the URL, or what kind of inline image it is (never its payload).</summary>
    public override string ToString() =>
        Url?.ToString() ?? (DataUrlText is not null ? "data: URL" : Base64 is not null ? "inline base64" : $"{Bytes!.Length} inline bytes");
}
