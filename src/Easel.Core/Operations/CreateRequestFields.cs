using System.Text.Json;
using Easel.Core.Models;

namespace Easel.Core.Operations;

/// <summary>The fields a create request can carry, named by meaning rather than by any dialect's spelling.</summary>
public enum RequestField { ImageUrl, TaskId, ImageNumber, Prompt, Canvas, Position, Mask, Mode, Speed, Callback, OutputFormat, Type, Scale, Direction }

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
/// One create request as a dialect found it: the raw JSON value at each field's place, absent where the dialect
/// found nothing. The dialect owns names and nesting; <see cref="OperationParser"/> owns the rules, and the model's
/// catalog entry says which fields it has.
/// </summary>
public sealed record CreateRequestFields(ModelEntry Model, IReadOnlyDictionary<RequestField, JsonElement> Values)
{
    public OperationKind Kind => Model.Kind;

    public JsonElement? this[RequestField field] => Values.TryGetValue(field, out var value) ? value : null;
}

/// <summary>What differs between the dialects' rules for the same field.</summary>
/// <param name="ImageUrlMaxLength">Classic: 1024 (seed); unified: 2048.</param>
/// <param name="CallbackHttpsOnly">Unified callbacks are HTTPS only; classic ones may be HTTP.</param>
/// <param name="NumericChoices">Classic choices are numbers where the model's table has them (remix mode 0 strong, pan direction 1 right); unified ones are strings.</param>
/// <param name="ImageNumberRequired">Classic requires imageNo; unified defaults image_number to 0.</param>
/// <param name="ResolveImageUrl">Turns a URL of Easel's own files into a stored reference, anything else into an external one.</param>
/// <param name="IsCallbackAddressAllowed">Refuses literal addresses the outbound guard would refuse.</param>
public sealed record ParseProfile(
    int ImageUrlMaxLength,
    bool CallbackHttpsOnly,
    bool NumericChoices,
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
