using System.Text.Json.Serialization;
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

    /// <summary>The `param` of a field error: the field's place in the unified body, then the place inside it.</summary>
    public static string ParamOf(FieldError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var field = error.Field switch
        {
            RequestField.ImageUrl => "image_urls",
            RequestField.Prompt => "prompt",
            RequestField.Callback => "callback_url",
            RequestField.TaskId => "model_params.task_id",
            RequestField.ImageNumber => "model_params.image_number",
            RequestField.Canvas => "model_params.canvas",
            RequestField.Position => "model_params.img_pos",
            RequestField.Mask => "model_params.mask",
            RequestField.Mode => "model_params.mode",
            RequestField.Speed => "model_params.speed",
            RequestField.OutputFormat => "model_params.output_format",
            _ => throw new ArgumentOutOfRangeException(nameof(error)),
        };
        return error.Detail is null ? field : $"{field}.{error.Detail}";
    }
}
