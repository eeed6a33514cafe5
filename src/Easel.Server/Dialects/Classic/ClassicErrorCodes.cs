using Easel.Core.Operations;

namespace Easel.Server.Dialects.Classic;

/// <summary>
/// The 9-digit codes of the classic seeds (printed 004014001, sent as the integer 4014001): a model prefix and
/// a number from its table. Gateway errors that no model table covers use the prefix 004000 and the HTTP status.
/// </summary>
internal static class ClassicErrorCodes
{
    public const int GatewayBadRequest = 4_000_400;
    public const int GatewayUnauthorized = 4_000_401;
    public const int GatewayInsufficientQuota = 4_000_402;
    public const int GatewayForbidden = 4_000_403;
    public const int GatewayNotFound = 4_000_404;
    public const int GatewayConflict = 4_000_409;
    public const int GatewayTooLarge = 4_000_413;
    public const int GatewayRateLimited = 4_000_429;
    public const int GatewayInternal = 4_000_500;

    public const int TaskIdNumber = 1;
    public const int GenerationFailedNumber = 98;
    public const int ServiceUnavailableNumber = 99;

    public static int Prefix(OperationKind kind) => kind switch
    {
        OperationKind.UploadPaint => 4014,
        OperationKind.Edit => 4007,
        OperationKind.Inpaint => 4006,
        OperationKind.Remix => 4011,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static int Code(OperationKind kind, int number) => (Prefix(kind) * 1000) + number;

    /// <summary>The "Invalid image number" code: the seeds' answer when the source cannot give that image.</summary>
    public static int InvalidImageNumber(OperationKind kind) => Code(kind, 3);

    /// <summary>The code of a field error under the model's table, or the gateway's where the table has none.</summary>
    public static int For(OperationKind kind, FieldError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var (field, missing) = (error.Field, error.Problem == FieldProblem.Missing);
        int? number = kind switch
        {
            OperationKind.UploadPaint => field switch
            {
                RequestField.ImageUrl => error.Problem switch
                {
                    FieldProblem.Missing => 1,
                    FieldProblem.InvalidLength => 2,
                    _ => 3,
                },
                RequestField.Canvas => missing ? 4 : 5,
                RequestField.Position => missing ? 6 : 7,
                RequestField.Mask => missing ? 8 : 9,
                RequestField.Prompt => missing ? 10 : 11,
                RequestField.Callback => 12,
                _ => null,
            },
            // Edit's table has no "invalid canvas/position" codes: the "missing" ones carry the message instead.
            OperationKind.Edit => field switch
            {
                RequestField.TaskId => 1,
                RequestField.ImageNumber => missing ? 2 : 3,
                RequestField.Prompt => missing ? 4 : 5,
                RequestField.Canvas => 6,
                RequestField.Position => 7,
                RequestField.Callback => 8,
                _ => null,
            },
            OperationKind.Inpaint => field switch
            {
                RequestField.TaskId => 1,
                RequestField.ImageNumber => missing ? 2 : 3,
                RequestField.Prompt => 4,
                RequestField.Mask => missing ? 5 : 6,
                RequestField.Callback => 7,
                _ => null,
            },
            OperationKind.Remix => field switch
            {
                RequestField.TaskId => 1,
                RequestField.ImageNumber => missing ? 2 : 3,
                RequestField.Mode => 4,
                RequestField.Prompt => missing ? 5 : 6,
                RequestField.Callback => 7,
                _ => null,
            },
            _ => null,
        };
        return number is int n ? Code(kind, n) : GatewayBadRequest;
    }
}
