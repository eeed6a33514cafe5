using System.Text.Json;
using Easel.Core.Models;
using static Easel.Core.Operations.OperationLimits;

namespace Easel.Core.Operations;

/// <summary>
/// Turns the raw fields of a create request into an <see cref="Operation"/>, checking them in the order of the
/// model's catalog entry (the order of its classic error table: the first failing field decides the code), so both
/// dialects share one rule per field.
/// </summary>
public static class OperationParser
{
    public static (CreateCommand? Command, FieldError? Error) Parse(CreateRequestFields f, ParseProfile profile)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(profile);
        try
        {
            return (ParseOrThrow(f, profile), null);
        }
        catch (FieldException e)
        {
            return (null, e.Error);
        }
    }

    // Each field of the entry in its order, each by its one rule; the entry's builder assembles the operation.
    private static CreateCommand ParseOrThrow(CreateRequestFields f, ParseProfile p)
    {
        var parsed = new ParsedFields();
        string? callback = null;
        var output = DefaultOutputFormat;
        foreach (var field in f.Model.Fields)
        {
            var value = f[field.Field];
            switch (field.Field)
            {
                case RequestField.ImageUrl:
                    parsed.Image = ImageUrl(value, RequestField.ImageUrl, p);
                    break;
                case RequestField.TaskId:
                    parsed.Source = new SourceImage(TaskId(value), DefaultImageNumber);
                    break;
                case RequestField.ImageNumber:
                    parsed.Source = (parsed.Source ?? throw new InvalidOperationException("an entry lists image_number before task_id"))
                        with { ImageNumber = ImageNumber(value, p) };
                    break;
                case RequestField.Prompt:
                    parsed.Prompt = Prompt(value, field.Required);
                    break;
                case RequestField.Canvas:
                    parsed.Canvas = Canvas(value);
                    break;
                case RequestField.Position:
                    parsed.Position = Position(value, parsed.Canvas ?? throw new InvalidOperationException("an entry lists img_pos before canvas"));
                    break;
                case RequestField.Mask:
                    parsed.Mask = Mask(value, field, p);
                    break;
                case RequestField.Scale:
                    parsed.Scale = Scale(value, field);
                    break;
                case RequestField.Mode or RequestField.Type or RequestField.Direction:
                    parsed.SetChoice(field.Field, Choose(value, field, p));
                    break;
                case RequestField.Speed:
                    parsed.Speed = (Speed)Choose(value, field, p);
                    break;
                case RequestField.OutputFormat:
                    output = (OutputFormat)Choose(value, field, p);
                    break;
                case RequestField.Callback:
                    callback = Callback(value, p);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(f), field.Field, "a field with no rule");
            }
        }
        return new CreateCommand(f.Model.Build(parsed) with { Output = output }, callback);
    }

    private static string TaskId(JsonElement? value)
    {
        if (Absent(value))
        {
            throw Fail(RequestField.TaskId, FieldProblem.Missing, "the id of the source task is required");
        }
        var id = value!.Value;
        if (id.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(id.GetString()) || id.GetString()!.Length > 128)
        {
            throw Fail(RequestField.TaskId, FieldProblem.Invalid, "the id of the source task must be a non-empty string of at most 128 characters");
        }
        return id.GetString()!;
    }

    private static int ImageNumber(JsonElement? value, ParseProfile p)
    {
        var number = DefaultImageNumber;
        if (Absent(value))
        {
            if (p.ImageNumberRequired)
            {
                throw Fail(RequestField.ImageNumber, FieldProblem.Missing, "the image number (0-3) is required");
            }
        }
        else if (!TryInt(value!.Value, out number) || number < 0 || number > ImageNumberMax)
        {
            throw Fail(RequestField.ImageNumber, FieldProblem.Invalid, "the image number must be 0, 1, 2 or 3");
        }
        return number;
    }

    /// <summary>A choice field: absent takes the default (or is refused when required); otherwise one of the dialect's spellings.</summary>
    private static int Choose(JsonElement? value, ModelField field, ParseProfile p)
    {
        var set = field.Choices ?? throw new InvalidOperationException($"the entry's {field.Field} field has no choices");
        var name = p.NumericChoices ? field.ClassicName : FieldNames.Unified(field.Field);
        var numeric = p.NumericChoices && set.HasNumbers;
        var offered = set.In(p.NumericChoices);
        if (Absent(value))
        {
            return field.Required
                ? throw Fail(field.Field, FieldProblem.Missing, $"{name} is required: {Spell(offered, numeric)}")
                : set.Default;
        }
        var v = value!.Value;
        var found = numeric
            ? (TryInt(v, out var n) ? offered.FirstOrDefault(c => c.Classic == n) : null)
            : (v.ValueKind == JsonValueKind.String ? offered.FirstOrDefault(c => c.Unified == v.GetString()) : null);
        return found?.Value ?? throw Fail(field.Field, FieldProblem.Invalid, $"{set.What} must be {Spell(offered, numeric)}");
    }

    // 0 (strong) or 1 (subtle); "fast" or "turbo"; "draft", "fast" or "turbo".
    private static string Spell(IReadOnlyList<Choice> choices, bool numeric)
    {
        var words = choices.Select(c => numeric
            ? c.Unified is null ? $"{c.Classic}" : $"{c.Classic} ({c.Unified})"
            : $"\"{c.Unified}\"").ToList();
        return words.Count == 1 ? words[0] : $"{string.Join(", ", words.Take(words.Count - 1))} or {words[^1]}";
    }

    private static decimal Scale(JsonElement? value, ModelField field)
    {
        var range = field.Range ?? throw new InvalidOperationException("the entry's scale field has no range");
        if (Absent(value))
        {
            throw Fail(RequestField.Scale, FieldProblem.Missing, $"scale is required ({range.Min}-{range.Max})");
        }
        // A number only: "1.5" and 1e400 are refused rather than coerced.
        return value!.Value.ValueKind == JsonValueKind.Number && value.Value.TryGetDecimal(out var scale) && scale >= range.Min && scale <= range.Max
            ? scale
            : throw Fail(RequestField.Scale, FieldProblem.Invalid, $"scale must be a number from {range.Min} to {range.Max}");
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

    private static MaskSpec? Mask(JsonElement? value, ModelField field, ParseProfile p)
    {
        if (Absent(value))
        {
            return field.Required ? throw Fail(RequestField.Mask, FieldProblem.Missing, "the mask (areas or url) is required") : null;
        }
        var o = Object(value!.Value, RequestField.Mask, "the mask must be an object with areas or url");
        if (o.TryGetProperty("areas", out var areas) && areas.ValueKind != JsonValueKind.Null)
        {
            return new PolygonMask(Areas(areas, field.MaskTarget));
        }
        if (o.TryGetProperty("url", out var url) && url.ValueKind != JsonValueKind.Null)
        {
            var uri = HttpUrl(url, RequestField.Mask, p.ImageUrlMaxLength, httpsOnly: false, "mask URL");
            return new ImageMask(p.ResolveImageUrl(uri));
        }
        throw Fail(RequestField.Mask, FieldProblem.Invalid, "the mask must contain areas or url");
    }

    private static List<MaskArea> Areas(JsonElement areas, MaskTarget target)
    {
        if (areas.ValueKind != JsonValueKind.Array || areas.GetArrayLength() == 0 || areas.GetArrayLength() > MaskMaxAreas)
        {
            throw Fail(RequestField.Mask, FieldProblem.Invalid, $"mask areas must be an array of 1-{MaskMaxAreas} areas", "areas");
        }
        var (minSide, maxSide) = target == MaskTarget.Source
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
