using Easel.Core.Operations;

namespace Easel.Core.Models;

/// <summary>Whether a model's operation starts from nothing or an upload (direct) or from an earlier task's image (secondary).</summary>
public enum ModelCategory { Direct, Secondary }

/// <summary>Which frame a mask's areas are drawn onto, and so their size limits (API.md section 6).</summary>
public enum MaskTarget { Canvas, Source }

/// <summary>One allowed value of a choice field: the enum value it parses to and its spelling in each dialect.</summary>
/// <param name="Value">The Core enum's value, as an integer (the entry's builder casts it back).</param>
/// <param name="Unified">The unified dialect's string, or null where only the classic dialect offers it.</param>
/// <param name="Classic">The classic dialect's number, or null where the classic dialect spells it as the unified string.</param>
public sealed record Choice(int Value, string? Unified, int? Classic);

/// <summary>The values a choice field (mode, type, direction, speed, output format) may take, and its default.</summary>
/// <param name="What">How messages name the field ("mode", "the output format").</param>
/// <param name="Default">The value an absent optional field takes.</param>
public sealed record ChoiceSet(string What, IReadOnlyList<Choice> Choices, int Default)
{
    /// <summary>The values of an enum, written in lower case in both dialects (speed, output format).</summary>
    public static ChoiceSet Named<TEnum>(string what, TEnum @default, params TEnum[] values)
        where TEnum : struct, Enum =>
        new(what, (values.Length == 0 ? Enum.GetValues<TEnum>() : values)
            .Select(v => new Choice(Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture), v.ToString().ToLowerInvariant(), null))
            .ToList(), Convert.ToInt32(@default, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The choices a dialect offers (numbers in the classic dialect where it has them).</summary>
    public IReadOnlyList<Choice> In(bool classic) => classic && HasNumbers
        ? Choices.Where(c => c.Classic is not null).ToList()
        : Choices.Where(c => c.Unified is not null).ToList();

    /// <summary>Whether the classic dialect spells these choices as numbers.</summary>
    public bool HasNumbers => Choices.Any(c => c.Classic is not null);
}

/// <summary>An inclusive range of a decimal field (scale).</summary>
public sealed record DecimalRange(decimal Min, decimal Max);

/// <summary>
/// One field of a model, in the order its rules are checked (the order of the classic error table: the first failing
/// field decides the code). The rule itself is <see cref="OperationParser"/>'s, by <see cref="Field"/>; this says how
/// this model takes it: required or not, and the values or range where the field has them.
/// </summary>
public sealed record ModelField(RequestField Field, bool Required)
{
    public ChoiceSet? Choices { get; init; }

    public DecimalRange? Range { get; init; }

    public MaskTarget MaskTarget { get; init; } = MaskTarget.Canvas;

    /// <summary>The classic name where this model spells the field unlike the others (diffusion's prompt is "text").</summary>
    public string? ClassicNameOverride { get; init; }

    public string ClassicName => ClassicNameOverride ?? FieldNames.Classic(Field);

    /// <summary>The field's place in a unified body: "prompt", "image_urls", "callback_url" or "model_params.x".</summary>
    public string UnifiedPath => FieldNames.UnifiedPath(Field);
}
