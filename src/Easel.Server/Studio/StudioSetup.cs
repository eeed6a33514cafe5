using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Net.Http.Headers;

namespace Easel.Server.Studio;

/// <summary>
/// The studio (API.md section 11): static ES modules from wwwroot at "/", compressed, under a strict
/// Content-Security-Policy (scripts, styles, fonts and connections only from this origin; no inline script or style),
/// revalidated on every load (ETag) so an upgrade is seen at once. It is a client of the public API and nothing else:
/// the server only serves its files and the task event stream.
/// </summary>
internal static class StudioSetup
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; font-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The studio's files: the content root's wwwroot when it has one (the project folder under `dotnet run` or the
    /// tests, so edits show at once), else the copy beside the binary (a server started from any other directory).
    /// </summary>
    public static WebApplicationBuilder UseEaselStudioFiles(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var environment = builder.Environment;
        var beside = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (!Directory.Exists(environment.WebRootPath) && Directory.Exists(beside))
        {
            environment.WebRootPath = beside;
            environment.WebRootFileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(beside);
        }
        return builder;
    }

    public static IServiceCollection AddEaselStudio(this IServiceCollection services)
    {
        services.AddResponseCompression(options =>
        {
            // Only the studio's own static files pass through it (see UseEaselStudio): no secret is ever in them.
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = ["text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml", "application/json"];
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Optimal);
        return services;
    }

    public static WebApplication UseEaselStudio(this WebApplication app)
    {
        app.UseWhen(IsStudio, studio =>
        {
            studio.Use((http, next) =>
            {
                var headers = http.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.XFrameOptions = "DENY";
                return next(http);
            });
            studio.UseResponseCompression();
            studio.UseDefaultFiles();
            studio.UseStaticFiles(new StaticFileOptions
            {
                OnPrepareResponse = context => context.Context.Response.Headers[HeaderNames.CacheControl] = "no-cache",
            });
        });
        return app;
    }

    private static bool IsStudio(HttpContext http) =>
        http.Request.Path == "/" || http.Request.Path == "/index.html" || http.Request.Path.StartsWithSegments("/studio", StringComparison.Ordinal);
}
