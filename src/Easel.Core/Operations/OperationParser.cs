using System.Text.Json;
using static Easel.Core.Operations.OperationLimits;

namespace Easel.Core.Operations;

/// <summary>
/// Turns the raw fields of a create request into an <see cref="Operation"/>, checking them in the order of
/// the classic error tables (the first failing field decides the code), so both dialects share one rule each.
/// </summary>
public static class OperationParser
{
    public static (CreateCommand? Command, FieldError? Error) Parse(CreateRequestFields f, ParseProfile profile)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(profile);
        try
        {
            var command = ParseOrThrow(f, profile);
            return (command with { Operation = command.Operation with { Output = Output(f.OutputFormat) } }, null);
        }
        catch (FieldException e)
        {
            return (null, e.Error);
        }
    }

    private static CreateCommand ParseOrThrow(CreateRequestFields f, ParseProfile p)
    {
        switch (f.Kind)
        {
            case OperationKind.UploadPaint:
            {
                var image = ImageUrl(f.ImageUrl, RequestField.ImageUrl, p);
                var canvas = Canvas(f.Canvas);
                var position = Position(f.Position, canvas);
                var mask = Mask(f.Mask, required: true, OperationKind.UploadPaint, p)!;
                var prompt = Prompt(f.Prompt, required: true)!;
                var callback = Callback(f.Callback, p);
                return new(new UploadPaint(prompt, Speed(f.Speed), image, canvas, position, mask), callback);
            }
            case OperationKind.Edit:
            {
                var source = Source(f, p);
                var prompt = Prompt(f.Prompt, required: true)!;
                var canvas = Canvas(f.Canvas);
                var position = Position(f.Position, canvas);
                var mask = Mask(f.Mask, required: false, OperationKind.Edit, p);
                var callback = Callback(f.Callback, p);
                return new(new Edit(prompt, Speed(f.Speed), source, canvas, position, mask), callback);
            }
            case OperationKind.Inpaint:
            {
                var source = Source(f, p);
                var prompt = Prompt(f.Prompt, required: false);
                var mask = Mask(f.Mask, required: true, OperationKind.Inpaint, p)!;
                var callback = Callback(f.Callback, p);
                return new(new Inpaint(prompt, Speed(f.Speed), source, mask), callback);
            }
            case OperationKind.Remix:
            {
                var source = Source(f, p);
                var mode = Mode(f.Mode, p);
                var prompt = Prompt(f.Prompt, required: true)!;
                var callback = Callback(f.Callback, p);
                return new(new Remix(prompt, Speed(f.Speed), source, mode), callback);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(f), f.Kind, "unknown operation");
        }
    }

    private static SourceImage Source(CreateRequestFields f, ParseProfile p)
    {
        if (Absent(f.TaskId))
        {
            throw Fail(RequestField.TaskId, FieldProblem.Missing, "the id of the source task is required");
        }
        var id = f.TaskId!.Value;
        if (id.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(id.GetString()) || id.GetString()!.Length > 128)
        {
            throw Fail(RequestField.TaskId, FieldProblem.Invalid, "the id of the source task must be a non-empty string of at most 128 characters");
        }

        var number = DefaultImageNumber;
        if (Absent(f.ImageNumber))
        {
            if (p.ImageNumberRequired)
            {
                throw Fail(RequestField.ImageNumber, FieldProblem.Missing, "the image number (0-3) is required");
            }
        }
        else if (!TryInt(f.ImageNumber!.Value, out number) || number < 0 || number > ImageNumberMax)
        {
            throw Fail(RequestField.ImageNumber, FieldProblem.Invalid, "the image number must be 0, 1, 2 or 3");
        }
        return new SourceImage(id.GetString()!, number);
    }

    private static string? Prompt(JsonElement? value, bool required)
    {
        if (Absent(value))
        {
            return required ? throw Fail(RequestField.Prompt, FieldProblem.Missing, "the prompt is required") : null;
        }
        if (value!.Value.ValueKind != JsonValueKind.String)
        {
            throw Fail(RequestField.Prompt, FieldProblem.InvalidLength, $"the prompt must be a string of {PromptMinLength}-{PromptMaxLength} characters");
        }
        var text = value.Value.GetString()!;
        // Characters are Unicode scalar values: an emoji counts once, as a person would count it.
        var length = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            if (++length > PromptMaxLength)
            {
                break;
            }
        }
        if (length < PromptMinLength || length > PromptMaxLength)
        {
            throw Fail(RequestField.Prompt, FieldProblem.InvalidLength, $"the prompt must be {PromptMinLength}-{PromptMaxLength} characters long");
        }
        return text;
    }

    private static ImageRef ImageUrl(JsonElement? value, RequestField field, ParseProfile p)
    {
        if (Absent(value))
        {
            throw Fail(field, FieldProblem.Missing, "the image URL is required");
        }
        var uri = HttpUrl(value!.Value, field, p.ImageUrlMaxLength, httpsOnly: false, "image URL");
        return p.ResolveImageUrl(uri);
    }

    private static Uri HttpUrl(JsonElement value, RequestField field, int maxLength, bool httpsOnly, string what)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw Fail(field, FieldProblem.InvalidFormat, $"the {what} must be a string");
        }
        var text = value.GetString()!;
        if (text.Length == 0 || text.Length > maxLength)
        {
            throw Fail(field, FieldProblem.InvalidLength, $"the {what} must be 1-{maxLength} characters long");
        }
        var schemes = httpsOnly ? "an https" : "an http or https";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && (httpsOnly || uri.Scheme != Uri.UriSchemeHttp))
            || string.IsNullOrEmpty(uri.Host))
        {
            throw Fail(field, FieldProblem.InvalidFormat, $"the {what} must be {schemes} URL");
        }
        return uri;
    }

    private static CanvasSize Canvas(JsonElement? value)
    {
        if (Absent(value))
        {
            throw Fail(RequestField.Canvas, FieldProblem.Missing, "the canvas ({width, height}) is required");
        }
        var o = Object(value!.Value, RequestField.Canvas, "the canvas must be an object {width, height}");
        var width = Int(o, "width", RequestField.Canvas, CanvasMinSide, CanvasMaxSide);
        var height = Int(o, "height", RequestField.Canvas, CanvasMinSide, CanvasMaxSide);
        if ((long)width * height > CanvasMaxPixels)
        {
            throw Fail(RequestField.Canvas, FieldProblem.Invalid, $"the canvas may have at most {CanvasMaxPixels} pixels");
        }
        return new CanvasSize(width, height);
    }

    private static Placement Position(JsonElement? value, CanvasSize canvas)
    {
        if (Absent(value))
        {
            throw Fail(RequestField.Position, FieldProblem.Missing, "the image position ({width, height, x, y}) is required");
        }
        var o = Object(value!.Value, RequestField.Position, "the image position must be an object {width, height, x, y}");
        var placement = new Placement(
            Int(o, "width", RequestField.Position, PlacementMinSide, PlacementMaxSide),
            Int(o, "height", RequestField.Position, PlacementMinSide, PlacementMaxSide),
            Int(o, "x", RequestField.Position, -PlacementMaxOffset, PlacementMaxOffset),
            Int(o, "y", RequestField.Position, -PlacementMaxOffset, PlacementMaxOffset));
        if (!placement.Overlaps(canvas))
        {
            throw Fail(RequestField.Position, FieldProblem.Invalid, "the image position must overlap the canvas");
        }
        return placement;
    }

    private static MaskSpec? Mask(JsonElement? value, bool required, OperationKind kind, ParseProfile p)
    {
        if (Absent(value))
        {
            return required ? throw Fail(RequestField.Mask, FieldProblem.Missing, "the mask (areas or url) is required") : null;
        }
        var o = Object(value!.Value, RequestField.Mask, "the mask must be an object with areas or url");
        if (o.TryGetProperty("areas", out var areas) && areas.ValueKind != JsonValueKind.Null)
        {
            return new PolygonMask(Areas(areas, kind));
        }
        if (o.TryGetProperty("url", out var url) && url.ValueKind != JsonValueKind.Null)
        {
            var uri = HttpUrl(url, RequestField.Mask, p.ImageUrlMaxLength, httpsOnly: false, "mask URL");
            return new ImageMask(p.ResolveImageUrl(uri));
        }
        throw Fail(RequestField.Mask, FieldProblem.Invalid, "the mask must contain areas or url");
    }

    private static List<MaskArea> Areas(JsonElement areas, OperationKind kind)
    {
        if (areas.ValueKind != JsonValueKind.Array || areas.GetArrayLength() == 0 || areas.GetArrayLength() > MaskMaxAreas)
        {
            throw Fail(RequestField.Mask, FieldProblem.Invalid, $"mask areas must be an array of 1-{MaskMaxAreas} areas", "areas");
        }
        var (minSide, maxSide) = kind == OperationKind.Inpaint
            ? (InpaintAreaMinSide, InpaintAreaMaxSide)
            : (MaskAreaMinSide, MaskAreaMaxSide);
        var result = new List<MaskArea>(areas.GetArrayLength());
        var index = 0;
        foreach (var area in areas.EnumerateArray())
        {
            var at = $"areas[{index++}]";
            if (area.ValueKind != JsonValueKind.Object)
            {
                throw Fail(RequestField.Mask, FieldProblem.Invalid, "a mask area must be an object {width, height, points}", at);
            }
            var width = Int(area, "width", RequestField.Mask, minSide, maxSide, at + ".");
            var height = Int(area, "height", RequestField.Mask, minSide, maxSide, at + ".");
            if (!area.TryGetProperty("points", out var points) || points.ValueKind != JsonValueKind.Array)
            {
                throw Fail(RequestField.Mask, FieldProblem.Invalid, "a mask area needs points [x1, y1, x2, y2, ...]", at + ".points");
            }
            var count = points.GetArrayLength();
            if (count < MaskMinPointValues || count > MaskMaxPointValues || count % 2 != 0)
            {
                throw Fail(RequestField.Mask, FieldProblem.Invalid,
                    $"mask points must be an even number of {MaskMinPointValues}-{MaskMaxPointValues} values (at least three x, y pairs)", at + ".points");
            }
            var values = new int[count];
            var i = 0;
            foreach (var point in points.EnumerateArray())
            {
                if (!TryInt(point, out var v) || Math.Abs((long)v) > MaskMaxCoordinate)
                {
                    throw Fail(RequestField.Mask, FieldProblem.Invalid, $"mask points must be integers within ±{MaskMaxCoordinate}", at + ".points");
                }
                values[i++] = v;
            }
            result.Add(new MaskArea(width, height, values));
        }
        return result;
    }

    private static RemixMode Mode(JsonElement? value, ParseProfile p)
    {
        if (Absent(value))
        {
            return DefaultRemixMode;
        }
        var v = value!.Value;
        if (p.NumericRemixMode)
        {
            return TryInt(v, out var n) && n is 0 or 1
                ? (n == 0 ? RemixMode.Strong : RemixMode.Subtle)
                : throw Fail(RequestField.Mode, FieldProblem.Invalid, "mode must be 0 (strong) or 1 (subtle)");
        }
        return v.ValueKind == JsonValueKind.String && v.GetString() is "strong" or "subtle"
            ? (v.GetString() == "strong" ? RemixMode.Strong : RemixMode.Subtle)
            : throw Fail(RequestField.Mode, FieldProblem.Invalid, "mode must be \"strong\" or \"subtle\"");
    }

    private static Speed Speed(JsonElement? value)
    {
        if (Absent(value))
        {
            return DefaultSpeed;
        }
        var v = value!.Value;
        return v.ValueKind == JsonValueKind.String && v.GetString() is "fast" or "turbo"
            ? (v.GetString() == "fast" ? Operations.Speed.Fast : Operations.Speed.Turbo)
            : throw Fail(RequestField.Speed, FieldProblem.Invalid, "speed must be \"fast\" or \"turbo\"");
    }

    // The wire names: the enum's names in lower case ("png", "jpeg", "webp").
    public static string OutputFormatName(OutputFormat format) => format.ToString().ToLowerInvariant();

    private static OutputFormat Output(JsonElement? value)
    {
        if (Absent(value))
        {
            return DefaultOutputFormat;
        }
        var v = value!.Value;
        var name = v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        foreach (var format in Enum.GetValues<OutputFormat>())
        {
            if (string.Equals(name, OutputFormatName(format), StringComparison.Ordinal))
            {
                return format;
            }
        }

        throw Fail(RequestField.OutputFormat, FieldProblem.Invalid,
            "the output format must be " + string.Join(", ", Enum.GetValues<OutputFormat>().Select(f => $"\"{OutputFormatName(f)}\"")));
    }

    private static string? Callback(JsonElement? value, ParseProfile p)
    {
        if (Absent(value))
        {
            return null;
        }
        var uri = HttpUrl(value!.Value, RequestField.Callback, CallbackUrlMaxLength, p.CallbackHttpsOnly, "callback URL");
        if (!p.IsCallbackAddressAllowed(uri))
        {
            throw Fail(RequestField.Callback, FieldProblem.Invalid, "the callback URL points to a private, loopback or otherwise refused address");
        }
        return uri.OriginalString;
    }

    private static JsonElement Object(JsonElement value, RequestField field, string message) =>
        value.ValueKind == JsonValueKind.Object ? value : throw Fail(field, FieldProblem.Invalid, message);

    private static int Int(JsonElement o, string name, RequestField field, int min, int max, string prefix = "")
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            throw Fail(field, FieldProblem.Invalid, $"{name} is required ({min}-{max})", prefix + name);
        }
        if (!TryInt(v, out var n) || n < min || n > max)
        {
            throw Fail(field, FieldProblem.Invalid, $"{name} must be an integer from {min} to {max}", prefix + name);
        }
        return n;
    }

    // Integers only: 1.5, "1" and 1e400 are refused rather than rounded or coerced.
    private static bool TryInt(JsonElement v, out int n)
    {
        n = 0;
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out n);
    }

    private static bool Absent(JsonElement? value) =>
        value is null || value.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

    private static FieldException Fail(RequestField field, FieldProblem problem, string message, string? detail = null) =>
        new(new FieldError(field, problem, message, detail));

    // Private control flow for the parser only: the public surface returns the error as a value.
    private sealed class FieldException(FieldError error) : Exception(error.Message)
    {
        public FieldError Error { get; } = error;
    }
}
