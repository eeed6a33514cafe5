using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Easel.Testing;

/// <summary>
/// A real HTTP server on 127.0.0.1 that serves test images, errors, slow answers, redirects, and answers held until
/// the test ends. Shared by the server's and the command line's tests.
/// </summary>
public sealed class ImageServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _routes = new();
    private readonly ConcurrentDictionary<string, int> _hits = new();
    private readonly CancellationTokenSource _stopping = new();

    private ImageServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public static async Task<ImageServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new ImageServer(app);
        app.Run(async http =>
        {
            var path = http.Request.Path.Value ?? "/";
            server._hits.AddOrUpdate(path, 1, (_, n) => n + 1);
            if (server._routes.TryGetValue(path, out var handler))
            {
                await handler(http);
            }
            else
            {
                http.Response.StatusCode = 404;
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = address.TrimEnd('/');
        return server;
    }

    public string Serve(string path, byte[] body, string contentType = "image/png")
    {
        _routes[path] = async http =>
        {
            http.Response.ContentType = contentType;
            http.Response.ContentLength = body.Length;
            await http.Response.Body.WriteAsync(body);
        };
        return BaseUrl + path;
    }

    public string Handle(string path, Func<HttpContext, Task> handler)
    {
        _routes[path] = handler;
        return BaseUrl + path;
    }

    /// <summary>
    /// A URL whose fetch is held until the test ends (then answered 404), so its task stays processing for as long as
    /// the test needs; <paramref name="fetching"/> completes when the fetch has arrived.
    /// </summary>
    public string Hold(string path, TaskCompletionSource fetching)
    {
        ArgumentNullException.ThrowIfNull(fetching);
        _routes[path] = async http =>
        {
            fetching.TrySetResult();
            using var heldUntil = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _stopping.Token);
            try
            {
                await Task.Delay(Timeout.Infinite, heldUntil.Token);
            }
            catch (OperationCanceledException)
            {
                // The fetch was given up (its task cancelled), or the test is over.
            }
            if (!http.RequestAborted.IsCancellationRequested)
            {
                http.Response.StatusCode = 404;
            }
        };
        return BaseUrl + path;
    }

    public int Hits(string path) => _hits.TryGetValue(path, out var n) ? n : 0;

    public async ValueTask DisposeAsync()
    {
        // Held answers end first, so stopping does not wait for them.
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
