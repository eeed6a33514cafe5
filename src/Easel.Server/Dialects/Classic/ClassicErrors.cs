using System.Text.Json.Serialization;
using Easel.Server.Auth;

namespace Easel.Server.Dialects.Classic;

/// <summary>{"status": "failed", "error": {"code": 4014001, "error_message": "..."}}.</summary>
internal sealed record ClassicErrorBody(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("error")] ClassicError Error);

internal sealed record ClassicError(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("error_message")] string ErrorMessage);

internal sealed class ClassicErrors : IDialectErrors
{
    public static readonly ClassicErrors Instance = new();

    public IResult Unauthorized(string message) => Error(401, ClassicErrorCodes.GatewayUnauthorized, message);

    public IResult Forbidden(string message) => Error(403, ClassicErrorCodes.GatewayForbidden, message);

    public static IResult Error(int status, int code, string message) =>
        TypedResults.Json(new ClassicErrorBody("failed", new ClassicError(code, message)), ClassicJson.Options, statusCode: status);
}
