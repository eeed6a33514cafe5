using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Easel.Server.Tests.Infrastructure;

/// <summary>A real callback receiver on 127.0.0.1 (HTTP, or HTTPS with a self-signed certificate) that records what it gets.</summary>
public sealed class CallbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private CallbackReceiver(WebApplication app, string? thumbprint)
    {
        _app = app;
        Thumbprint = thumbprint;
    }

    public string Url { get; private set; } = "";

    /// <summary>The SHA-256 of the HTTPS certificate, for Easel:Outbound:TrustedCertificates.</summary>
    public string? Thumbprint { get; }

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>Decides the status of each request by its number (1-based); 200 by default.</summary>
    public Func<int, int> Status { get; set; } = _ => 200;

    /// <summary>How long to hold each answer, by request number (the request is recorded when it arrives); none by default.</summary>
    public Func<int, TimeSpan> Hold { get; set; } = _ => TimeSpan.Zero;

    /// <summary>The most requests this receiver has held open at once.</summary>
    public int MaxInFlight => _maxInFlight;

    private int _inFlight;
    private int _maxInFlight;

    /// <summary>One request as it arrived; <paramref name="Headers"/> holds every header by its name in lower case.</summary>
    public sealed record Received(TimeSpan At, string Body, IReadOnlyDictionary<string, string> Headers)
    {
        public string DeliveryId => Headers.GetValueOrDefault("easel-delivery-id", "");

        public string Event => Headers.GetValueOrDefault("easel-event", "");

        public string Signature => Headers.GetValueOrDefault("easel-signature", "");
    }

    public static async Task<CallbackReceiver> StartAsync(bool https = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        X509Certificate2? certificate = https ? SelfSigned() : null;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        var receiver = new CallbackReceiver(app, certificate is null ? null : Convert.ToHexString(SHA256.HashData(certificate.RawData)));
        app.Run(async http =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            receiver.Requests.Enqueue(new Received(receiver._clock.Elapsed, body,
                http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString())));
            var number = receiver.Requests.Count;
            var inFlight = Interlocked.Increment(ref receiver._inFlight);
            for (var max = receiver._maxInFlight; inFlight > max; max = receiver._maxInFlight)
            {
                Interlocked.CompareExchange(ref receiver._maxInFlight, inFlight, max);
            }
            try
            {
                await Task.Delay(receiver.Hold(number), http.RequestAborted);
                http.Response.StatusCode = receiver.Status(number);
            }
            finally
            {
                Interlocked.Decrement(ref receiver._inFlight);
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address.TrimEnd('/') + "/hook";
        return receiver;
    }

    public async Task<List<Received>> WaitForAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Requests.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        return [.. Requests];
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
