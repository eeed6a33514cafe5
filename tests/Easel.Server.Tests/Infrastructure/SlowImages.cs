using Microsoft.AspNetCore.Http;
using Easel.Testing;

namespace Easel.Server.Tests.Infrastructure;

public static class SlowImages
{
    /// <summary>
    /// A route that holds its answer for a while and then answers 404, so the task that fetches it stays
    /// pending or processing meanwhile and can never complete. The hold ends early if the fetch is abandoned.
    /// </summary>
    public static string Stall(this ImageServer server, string path, TimeSpan hold) => server.Handle(path, async http =>
    {
        try
        {
            await Task.Delay(hold, http.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        http.Response.StatusCode = StatusCodes.Status404NotFound;
    });
}
