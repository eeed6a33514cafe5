using System.Text.Json;
using System.Text.Json.Serialization;
using Easel.Core.Accounts;
using Easel.Server.Auth;
using Easel.Server.Dialects.Unified;
using Easel.Server.Http;

namespace Easel.Server.Admin;

/// <summary>Administration with admin keys only. For now: create an account with its first key.</summary>
internal static class AdminEndpoints
{
    private const int MaxNameLength = 200;

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").RequireApiKey(UnifiedErrors.Instance, adminOnly: true);
        admin.MapPost("/accounts", CreateAccountAsync);
        return app;
    }

    private static async Task<IResult> CreateAccountAsync(HttpContext http, AccountService accounts)
    {
        var (document, problem, message) = await JsonBody.ReadObjectAsync(http.Request, 64 * 1024);
        if (problem == BodyProblem.TooLarge)
        {
            return UnifiedErrors.TooLarge(message!);
        }
        if (document is null)
        {
            return UnifiedErrors.InvalidRequest(message!);
        }
        using (document)
        {
            var name = document.RootElement.Property("name");
            if (name is not { ValueKind: JsonValueKind.String } || string.IsNullOrWhiteSpace(name.Value.GetString())
                || name.Value.GetString()!.Length > MaxNameLength)
            {
                return UnifiedErrors.InvalidRequest($"name is required: a string of 1-{MaxNameLength} characters", "name");
            }
            var created = await accounts.CreateAsync(name.Value.GetString()!.Trim(), isAdmin: false, exactKey: null, http.RequestAborted);
            return TypedResults.Json(new CreatedAccount(created.Account.Id, created.Account.Name, created.ApiKey),
                UnifiedJson.Options, statusCode: StatusCodes.Status201Created);
        }
    }

    private sealed record CreatedAccount(
        [property: JsonPropertyName("account_id")] string AccountId,
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("api_key")] string ApiKey);
}
