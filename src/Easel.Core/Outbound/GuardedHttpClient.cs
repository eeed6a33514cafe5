using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Easel.Core.Outbound;

/// <summary>
/// An HTTP client that cannot be pointed at our own network: the host is resolved once, every address is
/// checked, and the socket connects to a checked address, so a second DNS answer cannot slip in (rebinding).
/// Redirects are followed by hand, each hop checked again.
/// </summary>
public sealed class GuardedHttpClient : IOutboundClient, IDisposable
{
    private readonly AddressPolicy _policy;
    private readonly OutboundOptions _options;
    private readonly HttpClient _http;
    private readonly HttpClient _upstream;

    public GuardedHttpClient(AddressPolicy policy, OutboundOptions options)
    {
        _policy = policy;
        _options = options;
        _http = Client(upstreamEndpoints: false);
        _upstream = Client(upstreamEndpoints: true);
    }

    // Two clients, so that the allowance of the configured upstream engines' host:port pairs is a property of the
    // requests made to them (and of fetching their results), never of a client's image URL or callback that names the
    // same address: connection pools are per handler, so a connection made under the allowance is not reused without it.
    private HttpClient Client(bool upstreamEndpoints)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = (context, token) => ConnectToCheckedAddressAsync(context, upstreamEndpoints, token),
        };
        var trusted = _options.TrustedCertificates.Select(t => t.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant()).ToHashSet();
        if (trusted.Count > 0)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == System.Net.Security.SslPolicyErrors.None
                || (certificate is not null && trusted.Contains(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(certificate.GetRawCertData()))));
        }
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Easel", "1.0"));
        return client;
    }

    public Task<byte[]> GetBytesAsync(Uri url, CancellationToken cancellationToken) => GetAsync(_http, url, cancellationToken);

    public Task<byte[]> GetUpstreamResultAsync(Uri url, CancellationToken cancellationToken) => GetAsync(_upstream, url, cancellationToken);

    private async Task<byte[]> GetAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ImageTimeout);
        try
        {
            return await FollowAsync(http, url, timeout.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OutboundException($"{Describe(url)} did not answer within {_options.ImageTimeout.TotalSeconds:0} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new OutboundException($"{Describe(url)} could not be fetched: {Reason(e)}", e) { AddressRefused = IsRefusal(e) };
        }
        catch (IOException e)
        {
            throw new OutboundException($"{Describe(url)} broke off while it was read: {e.Message}", e);
        }
    }

    public async Task<int> PostJsonAsync(Uri url, string body, IReadOnlyDictionary<string, string> headers, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(headers);
        CheckScheme(url);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
            return (int)response.StatusCode;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OutboundException($"{Describe(url)} did not answer within {timeout.TotalSeconds:0} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new OutboundException($"{Describe(url)} could not be reached: {Reason(e)}", e) { AddressRefused = IsRefusal(e) };
        }
    }

    public async Task<OutboundResponse> SendAsync(OutboundRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckScheme(request.Url);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(request.Timeout);
        using var message = new HttpRequestMessage(request.Method, request.Url);
        if (request.JsonBody is { } body)
        {
            message.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }
        else if (request.Body is { } raw)
        {
            message.Content = new ReadOnlyMemoryContent(raw);
            message.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(
                request.ContentType ?? throw new ArgumentException("a body needs its content type", nameof(request)));
        }
        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        try
        {
            using var response = await _upstream.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, limit.Token);
            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                headers[name.ToLowerInvariant()] = string.Join(", ", values);
            }
            var bytes = await ReadCappedAsync(response, request.Url, request.MaxResponseBytes, limit.Token);
            return new OutboundResponse((int)response.StatusCode, headers, bytes);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OutboundException($"{Describe(request.Url)} did not answer within {request.Timeout.TotalSeconds:0.#} s", e) { TimedOut = true };
        }
        catch (HttpRequestException e)
        {
            throw new OutboundException($"{Describe(request.Url)} could not be reached: {Reason(e)}", e) { AddressRefused = IsRefusal(e) };
        }
        catch (IOException e)
        {
            // The connection broke while the body was read (HttpIOException).
            throw new OutboundException($"{Describe(request.Url)} broke off its answer: {e.Message}", e);
        }
    }

    private async Task<byte[]> FollowAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        var current = url;
        for (var hop = 0; ; hop++)
        {
            CheckScheme(current);
            using var request = new HttpRequestMessage(HttpMethod.Get, current);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (IsRedirect(response.StatusCode))
            {
                if (hop >= _options.MaxRedirects)
                {
                    throw new OutboundException($"{Describe(url)} redirected more than {_options.MaxRedirects} times");
                }
                var location = response.Headers.Location
                    ?? throw new OutboundException($"{Describe(current)} answered a redirect without a location");
                current = location.IsAbsoluteUri ? location : new Uri(current, location);
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new OutboundException($"{Describe(current)} answered HTTP {(int)response.StatusCode}");
            }
            return await ReadCappedAsync(response, current, _options.MaxImageBytes, cancellationToken);
        }
    }

    private static async Task<byte[]> ReadCappedAsync(HttpResponseMessage response, Uri url, int max, CancellationToken cancellationToken)
    {
        // The declared length is checked before a byte is read; the count while reading catches liars.
        if (response.Content.Headers.ContentLength is long declared && declared > max)
        {
            throw new OutboundException($"{Describe(url)} is {declared} bytes, over the limit of {max} bytes");
        }
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream(response.Content.Headers.ContentLength is long n ? (int)n : 64 * 1024);
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max)
            {
                throw new OutboundException($"{Describe(url)} is over the limit of {max} bytes");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private async ValueTask<Stream> ConnectToCheckedAddressAsync(SocketsHttpConnectionContext context, bool upstreamEndpoints, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var upstream = upstreamEndpoints && _policy.IsEndpointAllowed(host, context.DnsEndPoint.Port);
        if (!upstream && _policy.IsRefusedName(host))
        {
            throw new OutboundException($"{host} names this machine, a private or reserved address that Easel does not connect to") { AddressRefused = true };
        }
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new OutboundException($"{host} does not resolve");
        }
        // Every answer is checked, not just the first: an attacker's DNS may mix a public and a private one.
        if (!upstream && !_policy.IsHostAllowListed(host))
        {
            var refused = addresses.FirstOrDefault(a => !_policy.IsAllowed(a));
            if (refused is not null)
            {
                throw new OutboundException($"{host} resolves to {refused}, a private or reserved address that Easel does not connect to") { AddressRefused = true };
            }
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void CheckScheme(Uri url)
    {
        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            throw new OutboundException($"only http and https URLs are fetched, not {url.Scheme}");
        }
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    // The refusal raised in the connect callback arrives wrapped; its own words are the useful ones.
    private static string Reason(HttpRequestException e) =>
        e.InnerException is OutboundException refused ? refused.Message : e.Message;

    private static bool IsRefusal(HttpRequestException e) => e.InnerException is OutboundException { AddressRefused: true };

    private static string Describe(Uri url) => $"the URL {url.GetLeftPart(UriPartial.Path)}";

    public void Dispose()
    {
        _http.Dispose();
        _upstream.Dispose();
    }
}
