using System.Globalization;

namespace Easel.Server.Http;

/// <summary>Any result, with a Retry-After header in whole seconds (at least 1).</summary>
internal sealed class RetryAfterResult(IResult inner, TimeSpan retryAfter) : IResult
{
    /// <summary>The wrapped result (the OpenAPI examples read its body).</summary>
    public IResult Inner => inner;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return inner.ExecuteAsync(httpContext);
    }
}
