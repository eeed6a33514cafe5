using System.Text.Json;

namespace Easel.Core.Operations;

/// <summary>The fields a create request can carry, named by meaning rather than by any dialect's spelling.</summary>
public enum RequestField { ImageUrl, TaskId, ImageNumber, Prompt, Canvas, Position, Mask, Mode, Speed, Callback, OutputFormat }

public enum FieldProblem
{
    Missing,
    Invalid,
    /// <summary>A string of the wrong length (prompts, URLs).</summary>
    InvalidLength,
    /// <summary>A string that is not of the expected form (URLs).</summary>
    InvalidFormat,
}

/// <summary>Why a create request was refused: which field, what is wrong with it, where inside it.</summary>
/// <param name="Detail">A path inside the field ("width", "areas[0].points"), or null for the field itself.</param>
public sealed record FieldError(RequestField Field, FieldProblem Problem, string Message, string? Detail = null);

/// <summary>
/// One create request as a dialect found it: the raw JSON value at each field's place, or null where the
/// dialect found nothing. The dialect owns names and nesting; <see cref="OperationParser"/> owns the rules.
/// </summary>
public sealed record CreateRequestFields(
    OperationKind Kind,
    JsonElement? Prompt = null,
    JsonElement? ImageUrl = null,
    JsonElement? Canvas = null,
    JsonElement? Position = null,
    JsonElement? Mask = null,
    JsonElement? TaskId = null,
    JsonElement? ImageNumber = null,
    JsonElement? Mode = null,
    JsonElement? Speed = null,
    JsonElement? Callback = null,
    JsonElement? OutputFormat = null);

/// <summary>What differs between the dialects' rules for the same field.</summary>
/// <param name="ImageUrlMaxLength">Classic: 1024 (seed); unified: 2048.</param>
/// <param name="CallbackHttpsOnly">Unified callbacks are HTTPS only; classic ones may be HTTP.</param>
/// <param name="NumericRemixMode">Classic remix mode is 0 (strong) / 1 (subtle); unified is "strong" / "subtle".</param>
/// <param name="ImageNumberRequired">Classic requires imageNo; unified defaults image_number to 0.</param>
/// <param name="ResolveImageUrl">Turns a URL of Easel's own files into a stored reference, anything else into an external one.</param>
/// <param name="IsCallbackAddressAllowed">Refuses literal addresses the outbound guard would refuse.</param>
public sealed record ParseProfile(
    int ImageUrlMaxLength,
    bool CallbackHttpsOnly,
    bool NumericRemixMode,
    bool ImageNumberRequired,
    Func<Uri, ImageRef> ResolveImageUrl,
    Func<Uri, bool> IsCallbackAddressAllowed);

/// <summary>A parsed create request: the operation and where to report its end.</summary>
public sealed record CreateCommand(Operation Operation, string? CallbackUrl)
{
    /// <summary>The base of the URLs the task's results will have (callbacks render them with no request at hand).</summary>
    public string? BaseUrl { get; init; }

    /// <summary>The request id of the create, stored on the task (see <see cref="Tasks.TaskRecord.RequestId"/>).</summary>
    public string? RequestId { get; init; }
}
