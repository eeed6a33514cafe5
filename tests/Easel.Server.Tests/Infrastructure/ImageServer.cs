using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Easel.Server.Tests.Infrastructure;

/// <summary>A real HTTP server on 127.0.0.1 that serves test images, errors, slow answers and redirects.</summary>
public sealed class ImageServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _routes = new();
    private readonly ConcurrentDictionary<string, int> _hits = new();

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

    public int Hits(string path) => _hits.TryGetValue(path, out var n) ? n : 0;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
