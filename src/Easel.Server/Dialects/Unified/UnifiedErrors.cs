using System.Text.Json.Serialization;
using Easel.Core.Models;
using Easel.Core.Operations;
using Easel.Server.Auth;

namespace Easel.Server.Dialects.Unified;

/// <summary>{"error": {"code", "message", "type", "param"}} with the HTTP statuses of the seed's OpenAPI document.</summary>
internal sealed record UnifiedErrorBody([property: JsonPropertyName("error")] UnifiedError Error);

internal sealed record UnifiedError(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Param = null);

internal sealed class UnifiedErrors : IDialectErrors
{
    public static readonly UnifiedErrors Instance = new();

    public IResult Unauthorized(string message) => Error(401, "unauthorized", message, "authentication_error");

    public IResult Forbidden(string message) => Error(403, "forbidden", message, "permission_error");

    public static IResult InvalidRequest(string message, string? param = null) =>
        Error(400, "invalid_request", message, "invalid_request_error", param);

    public static IResult NotFound(string message, string? param = null) =>
        Error(404, "resource_not_found", message, "invalid_request_error", param);

    public static IResult Conflict(string message, string? param = null) =>
        Error(409, "invalid_request", message, "invalid_request_error", param);

    public static IResult InsufficientQuota(string message) => Error(402, "insufficient_quota", message, "insufficient_quota");

    public static IResult ModelAccessDenied(string model) =>
        Error(403, "model_access_denied", $"Token does not have access to model: {model}", "invalid_request_error", "model");

    public static IResult RateLimited(string message, TimeSpan retryAfter) =>
        new Http.RetryAfterResult(Error(429, "rate_limit_exceeded", message, "rate_limit_error"), retryAfter);

    public static IResult TooLarge(string message) => Error(413, "request_too_large", message, "invalid_request_error");

    public static IResult Internal() => Error(500, "internal_error", "Internal server error", "api_error");

    public static IResult Error(int status, string code, string message, string type, string? param = null) =>
        TypedResults.Json(new UnifiedErrorBody(new UnifiedError(code, message, type, param)), UnifiedJson.Options, statusCode: status);

    /// <summary>A model no engine on this server serves (API.md section 9): refused before anything is reserved.</summary>
    public static IResult ModelNotAvailable(string message) =>
        Error(400, "model_not_available", message, "invalid_request_error", "model");

    /// <summary>The `param` of a field error: the field's place in the unified body (the catalog's), then the place inside it.</summary>
    public static string ParamOf(FieldError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var field = FieldNames.UnifiedPath(error.Field);
        return error.Detail is null ? field : $"{field}.{error.Detail}";
    }
}
