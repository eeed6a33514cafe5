using System.Collections.Concurrent;
using Easel.Imaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Easel.Cli.Tests.Infrastructure;

/// <summary>A real HTTP server on 127.0.0.1 that serves a test image, or holds its answer until released.</summary>
public sealed class ImageHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _routes = new();

    private ImageHost(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public static async Task<ImageHost> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var host = new ImageHost(app);
        app.Run(http => host._routes.TryGetValue(http.Request.Path.Value ?? "/", out var handler)
            ? handler(http)
            : Task.FromResult(http.Response.StatusCode = 404));
        await app.StartAsync();
        host.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return host;
    }

    public string Serve(string path, byte[] png)
    {
        _routes[path] = async http =>
        {
            http.Response.ContentType = "image/png";
            await http.Response.Body.WriteAsync(png);
        };
        return BaseUrl + path;
    }

    /// <summary>
    /// A URL whose fetch is held until the test ends (then answered 404), so its task stays processing for as long as
    /// the test needs; <paramref name="fetching"/> completes when Easel's worker has started the fetch.
    /// </summary>
    public string Hold(string path, TaskCompletionSource fetching)
    {
        _routes[path] = async http =>
        {
            fetching.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _stopping.Token).Token);
            }
            catch (OperationCanceledException)
            {
                // Easel gave up the fetch (the task was cancelled) or the test is over.
            }
            if (!http.RequestAborted.IsCancellationRequested)
            {
                http.Response.StatusCode = 404;
            }
        };
        return BaseUrl + path;
    }

    private readonly CancellationTokenSource _stopping = new();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    /// <summary>An opaque image with structure in every direction, as a PNG.</summary>
    public static byte[] PatternPng(int width, int height)
    {
        var image = new RgbaImage(width, height);
        for (var y = 0; y < height; y++)
        {
            var row = image.Row(y);
            for (var x = 0; x < width; x++)
            {
                row[x * 4] = (byte)(x * 255 / Math.Max(1, width - 1));
                row[(x * 4) + 1] = (byte)(y * 255 / Math.Max(1, height - 1));
                row[(x * 4) + 2] = (byte)(((x / 8) + (y / 8)) % 2 == 0 ? 200 : 60);
                row[(x * 4) + 3] = 255;
            }
        }
        return ImageCodec.EncodePng(image, 1);
    }
}

/// <summary>Stdout that says when a line has appeared: the test's stand-in for a person watching the terminal.</summary>
public sealed class WatchedWriter : StringWriter
{
    private readonly string _awaited;
    private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WatchedWriter(string awaited) : base(System.Globalization.CultureInfo.InvariantCulture) => _awaited = awaited;

    public Task Seen => _seen.Task;

    public override void Write(string? value)
    {
        base.Write(value);
        Check();
    }

    public override void WriteLine(string? value)
    {
        base.WriteLine(value);
        Check();
    }

    private void Check()
    {
        if (GetStringBuilder().ToString().Contains(_awaited, StringComparison.Ordinal))
        {
            _seen.TrySetResult();
        }
    }
}
