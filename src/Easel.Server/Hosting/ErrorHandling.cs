using Easel.Server.Dialects.Classic;
using Easel.Server.Dialects.Unified;
using Microsoft.AspNetCore.Diagnostics;

namespace Easel.Server.Hosting;

/// <summary>
/// The last line: an exception that escapes a handler becomes the dialect's 500 body, never a stack trace.
/// A bad request that Kestrel itself refuses (a body over its limit) keeps its own status; a blob store that fails
/// (an upload or a download while the bucket refuses or is unreachable) is a 503.
/// </summary>
internal static class ErrorHandling
{
    public static IApplicationBuilder UseEaselErrors(this IApplicationBuilder app) =>
        app.UseExceptionHandler(handler => handler.Run(async http =>
        {
            var error = http.Features.Get<IExceptionHandlerFeature>()?.Error;
            var classic = http.Request.Path.StartsWithSegments("/model", StringComparison.Ordinal);
            var result = error switch
            {
                BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => classic
                    ? ClassicErrors.Error(413, ClassicErrorCodes.GatewayTooLarge, "The request body is too large")
                    : UnifiedErrors.TooLarge("The request body is too large"),
                BadHttpRequestException bad => classic
                    ? ClassicErrors.Error(bad.StatusCode, ClassicErrorCodes.GatewayBadRequest, "The request could not be read")
                    : UnifiedErrors.Error(bad.StatusCode, "invalid_request", "The request could not be read", "invalid_request_error"),
                // The blob store (a bucket) refused or could not be reached: not the client's fault, and worth a retry.
                Core.Blobs.BlobStoreException when !classic =>
                    UnifiedErrors.Error(503, "service_unavailable", "The file store is unavailable; try again later", "api_error"),
                _ => classic
                    ? ClassicErrors.Error(500, ClassicErrorCodes.GatewayInternal, "Internal server error")
                    : UnifiedErrors.Internal(),
            };
            await result.ExecuteAsync(http);
        }));
}
