using Easel.Core.Accounts;

namespace Easel.Server.Auth;

/// <summary>How a dialect words an authentication or authorisation refusal.</summary>
internal interface IDialectErrors
{
    IResult Unauthorized(string message);

    IResult Forbidden(string message);
}

/// <summary>Marks an endpoint that needs a bearer key: the OpenAPI documents read it to list the security requirement.</summary>
internal sealed record ApiKeyRequired(bool AdminOnly);

/// <summary>Resolves the bearer key once per request, for every endpoint of a group.</summary>
internal static class ApiKeyAuthentication
{
    private const string CallerItem = "easel.caller";

    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder, IDialectErrors errors, bool adminOnly = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ApiKeyRequired(adminOnly)).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var key = BearerKey(http.Request);
            if (key is null)
            {
                return errors.Unauthorized("Missing API key: send Authorization: Bearer <key>");
            }
            var accounts = http.RequestServices.GetRequiredService<AccountService>();
            var caller = await accounts.AuthenticateAsync(key, http.RequestAborted);
            if (caller is null)
            {
                return errors.Unauthorized("Invalid or revoked API key");
            }
            if (adminOnly && !caller.Account.IsAdmin)
            {
                return errors.Forbidden("This endpoint needs an admin key");
            }
            http.Items[CallerItem] = caller;
            return await next(context);
        });

    public static Caller Caller(this HttpContext http) =>
        http.Items[CallerItem] as Caller ?? throw new InvalidOperationException("endpoint is not behind RequireApiKey");

    public static Account Account(this HttpContext http) => http.Caller().Account;

    /// <summary>The caller when the request got past RequireApiKey; null for anonymous or refused requests.</summary>
    public static Caller? TryCaller(this HttpContext http) => http.Items[CallerItem] as Caller;

    private static string? BearerKey(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && header.Length > scheme.Length
            ? header[scheme.Length..].Trim()
            : null;
    }
}
