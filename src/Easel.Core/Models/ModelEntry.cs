using Easel.Core.Engines;
using Easel.Core.Operations;

namespace Easel.Core.Models;

/// <summary>The values of a create request after each field's rule passed, for an entry's builder to assemble.</summary>
public sealed class ParsedFields
{
    private readonly Dictionary<RequestField, int> _choices = [];

    public string? Prompt { get; internal set; }

    public ImageRef? Image { get; internal set; }

    public SourceImage? Source { get; internal set; }

    public CanvasSize? Canvas { get; internal set; }

    public Placement? Position { get; internal set; }

    public MaskSpec? Mask { get; internal set; }

    public decimal? Scale { get; internal set; }

    public Speed Speed { get; internal set; } = OperationLimits.DefaultSpeed;

    internal void SetChoice(RequestField field, int value) => _choices[field] = value;

    /// <summary>The value of a choice field, cast to its enum (its default when the request left it out).</summary>
    public TEnum Choice<TEnum>(RequestField field)
        where TEnum : struct, Enum =>
        _choices.TryGetValue(field, out var value)
            ? (TEnum)Enum.ToObject(typeof(TEnum), value)
            : throw new InvalidOperationException($"the entry has no choice field {field}");

    public static T Required<T>(T? value, string what)
        where T : class => value ?? throw new InvalidOperationException($"the entry's builder needs {what}, which its fields do not give");

    public SourceImage From => Source ?? throw new InvalidOperationException("a secondary model needs task_id and image_number fields");
}

/// <summary>A priced variant of a model that a request's options select (upscale's creative type).</summary>
/// <param name="Name">Its name in prices and configuration ("creative": Pricing:Models:UpscaleCreative).</param>
/// <param name="Applies">Whether an operation of the model is this variant.</param>
public sealed record ModelVariant(string Name, Func<Operation, bool> Applies, decimal FastCredits, EngineCapability Capability);

/// <summary>
/// One model of the family, described once: its operation and its names in both dialects, whether it is direct or
/// secondary, its fields in the order their rules are checked, its classic code table, how many images it gives,
/// its default prices, and what an engine must be able to do to serve it. The parser, the readers of both dialects,
/// the error codes, the OpenAPI documents, the price table, GET /v1/models and the CLI read it.
/// </summary>
/// <param name="Operation">The operation's name in the model list and in engine configuration ("remove-bg").</param>
/// <param name="FastCredits">The default price at fast speed (turbo twice, draft half unless configured).</param>
/// <param name="Build">Assembles the operation from the parsed fields (only fields of <see cref="Fields"/> are set).</param>
public sealed record ModelEntry(
    OperationKind Kind,
    string Operation,
    string UnifiedName,
    string ClassicName,
    ModelCategory Category,
    string Summary,
    IReadOnlyList<ModelField> Fields,
    ClassicCodeTable ClassicCodes,
    int ImageCount,
    decimal FastCredits,
    EngineCapability Capability,
    Func<ParsedFields, Operations.Operation> Build)
{
    public IReadOnlyList<ModelVariant> Variants { get; init; } = [];

    public bool IsSecondary => Category == ModelCategory.Secondary;

    public ModelField? FieldOf(RequestField field) => Fields.FirstOrDefault(f => f.Field == field);

    public bool Has(RequestField field) => FieldOf(field) is not null;

    /// <summary>The speeds this model takes (its speed field's choices; fast alone if it has none).</summary>
    public IReadOnlyList<Speed> Speeds => FieldOf(RequestField.Speed)?.Choices is { } choices
        ? choices.Choices.Select(c => (Speed)c.Value).ToList()
        : [Speed.Fast];

    public ModelVariant? VariantOf(Operations.Operation operation) => Variants.FirstOrDefault(v => v.Applies(operation));

    /// <summary>What an engine must be able to do to run this operation of the model.</summary>
    public EngineCapability CapabilityOf(Operations.Operation operation) => VariantOf(operation)?.Capability ?? Capability;

    /// <summary>Every capability the model may need (its own, then its variants').</summary>
    public IEnumerable<EngineCapability> Capabilities => Variants.Select(v => v.Capability).Prepend(Capability).Distinct();
}
