using Easel.Core.Models;
using Easel.Core.Operations;

namespace Easel.Server.Dialects.Classic;

/// <summary>
/// The 9-digit codes of the classic seeds (printed 004014001, sent as the integer 4014001): a model's prefix and a row
/// of its table, both from the model's catalog entry. Gateway errors that no model table covers use the prefix 004000
/// and the HTTP status.
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

    /// <summary>Every gateway code, for the README's list and the documents.</summary>
    public static readonly IReadOnlyList<int> Gateway =
    [
        GatewayBadRequest, GatewayUnauthorized, GatewayInsufficientQuota, GatewayForbidden, GatewayNotFound,
        GatewayConflict, GatewayTooLarge, GatewayRateLimited, GatewayInternal,
    ];

    public static int Code(OperationKind kind, int number) => ModelCatalog.Of(kind).ClassicCodes.Code(number);

    /// <summary>The "task ID" code a 404 on a secondary operation's source takes.</summary>
    public static int TaskIdMissing(OperationKind kind) =>
        ModelCatalog.Of(kind).ClassicCodes.TaskIdNumber is int n ? Code(kind, n) : GatewayNotFound;

    /// <summary>The "Invalid image number" code: the seeds' answer when the source cannot give that image.</summary>
    public static int InvalidImageNumber(OperationKind kind) =>
        ModelCatalog.Of(kind).ClassicCodes.InvalidImageNumber is int n ? Code(kind, n) : GatewayConflict;

    /// <summary>The code of a field error under the model's table, or the gateway's where the table has none.</summary>
    public static int For(OperationKind kind, FieldError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return ModelCatalog.Of(kind).ClassicCodes.NumberFor(error) is int n ? Code(kind, n) : GatewayBadRequest;
    }

    /// <summary>A failed task's code: the model's 099 when the service was unavailable, else its 098.</summary>
    public static int Failed(OperationKind kind, bool unavailable) =>
        Code(kind, unavailable ? ClassicCodeTable.ServiceUnavailableNumber : ClassicCodeTable.GenerationFailedNumber);
}
