using System.Globalization;
using System.Text.Json.Nodes;
using Easel.Core.Models;
using Easel.Core.Operations;
using Microsoft.OpenApi;
using static Easel.Core.Operations.OperationLimits;

namespace Easel.Server.OpenApi;

/// <summary>
/// The request shapes of the models that have no typed documentation record, built from their catalog entries: a
/// model added to the catalog appears in both documents with its fields, their limits and its choices, and no
/// record is written for it. The seeds' four models keep their typed records (checked field by field against seed
/// 003 by SeedAgreementTests); they are listed in <paramref name="typed"/> and skipped here.
/// </summary>
internal static class CatalogSchemas
{
    /// <summary>The models a typed documentation record describes: the discriminators of its derived types.</summary>
    public static IReadOnlySet<OperationKind> TypedModels(Type createRequest, bool classic) =>
        createRequest.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonDerivedTypeAttribute), inherit: false)
            .Cast<System.Text.Json.Serialization.JsonDerivedTypeAttribute>()
            .Select(a => (string)a.TypeDiscriminator!)
            .Select(name => (classic ? ModelCatalog.TryClassic(name, out var m) : ModelCatalog.TryUnified(name, out m)) ? m.Kind
                : throw new InvalidOperationException($"the documentation shape names {name}, which is not in the catalog"))
            .ToHashSet();

    public static void AddModels(OpenApiDocument document, string createComponent, bool classic, IReadOnlySet<OperationKind> typed)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document.Components?.Schemas?.TryGetValue(createComponent, out var found) != true || found is not OpenApiSchema create)
        {
            return;
        }
        create.AnyOf ??= [];
        foreach (var model in ModelCatalog.All.Where(m => !typed.Contains(m.Kind)))
        {
            var name = $"{createComponent}{model.Kind}";
            document.Components.Schemas[name] = classic ? Classic(model) : Unified(model);
            var reference = new OpenApiSchemaReference(name, document);
            create.AnyOf.Add(reference);
            create.Discriminator?.Mapping?.Add(classic ? model.ClassicName : model.UnifiedName, reference);
        }
        create.Description = "A task of one of the models (GET /v1/models), chosen by `model`";
    }

    private static OpenApiSchema Unified(ModelEntry model)
    {
        var properties = new Dictionary<string, IOpenApiSchema> { ["model"] = ModelName(model.UnifiedName) };
        var required = new HashSet<string> { "model" };
        var parameters = new Dictionary<string, IOpenApiSchema>();
        var requiredParameters = new HashSet<string>();
        foreach (var field in model.Fields)
        {
            var name = FieldNames.Unified(field.Field);
            var schema = Field(field, classic: false);
            // The unified image number defaults to 0; the classic one is required (API.md sections 3 and 4).
            var isRequired = field.Required && field.Field != RequestField.ImageNumber;
            if (FieldNames.UnifiedTopLevel(field.Field))
            {
                properties[name] = schema;
                if (isRequired)
                {
                    required.Add(name);
                }
            }
            else
            {
                parameters[name] = schema;
                if (isRequired)
                {
                    requiredParameters.Add(name);
                }
            }
        }
        if (parameters.Count > 0)
        {
            properties[FieldNames.ModelParams] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = $"{model.UnifiedName} parameters",
                Properties = parameters,
                Required = requiredParameters,
            };
            if (requiredParameters.Count > 0)
            {
                required.Add(FieldNames.ModelParams);
            }
        }
        return Shape($"{model.UnifiedName}: {model.Summary}", properties, required);
    }

    private static OpenApiSchema Classic(ModelEntry model)
    {
        var properties = new Dictionary<string, IOpenApiSchema> { ["model"] = ModelName(model.ClassicName) };
        var required = new HashSet<string> { "model" };
        foreach (var field in model.Fields)
        {
            properties[field.ClassicName] = Field(field, classic: true);
            if (field.Required)
            {
                required.Add(field.ClassicName);
            }
        }
        return Shape($"{model.ClassicName}: {model.Summary}", properties, required);
    }

    private static OpenApiSchema Shape(string description, Dictionary<string, IOpenApiSchema> properties, HashSet<string> required) =>
        new() { Type = JsonSchemaType.Object, Description = description, Properties = properties, Required = required };

    private static OpenApiSchema ModelName(string name) =>
        new() { Type = JsonSchemaType.String, Enum = [JsonValue.Create(name)], Default = JsonValue.Create(name) };

    private static OpenApiSchema Field(ModelField field, bool classic) => field.Field switch
    {
        RequestField.Prompt => new OpenApiSchema
        {
            Type = JsonSchemaType.String, MinLength = PromptMinLength, MaxLength = PromptMaxLength,
            Description = field.Required ? "Prompt" : "Prompt (optional; a remix prompt)",
        },
        RequestField.ImageUrl when classic => new OpenApiSchema
        {
            Type = JsonSchemaType.String, Format = "uri", MinLength = 1, MaxLength = ClassicImageUrlMaxLength,
            Description = "Source image URL (http or https, or the url of an upload)",
        },
        RequestField.ImageUrl => new OpenApiSchema
        {
            Type = JsonSchemaType.Array, MinItems = 1, MaxItems = 1,
            Items = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri", MaxLength = UnifiedImageUrlMaxLength },
            Description = "Input image URL (exactly one: an http(s) URL or the url of an upload from POST /v1/files)",
        },
        RequestField.TaskId => new OpenApiSchema
        {
            Type = JsonSchemaType.String, MinLength = 1, MaxLength = 128,
            Description = "The id of an earlier completed task of the same account, whose output is the source",
        },
        RequestField.ImageNumber => new OpenApiSchema
        {
            Type = JsonSchemaType.Integer, Minimum = "0", Maximum = Invariant(ImageNumberMax),
            Default = classic ? null : JsonValue.Create(DefaultImageNumber),
            Description = "Which of the source task's images (0-3; 0 only for a source of one image)",
        },
        RequestField.Scale => new OpenApiSchema
        {
            Type = JsonSchemaType.Number, Minimum = Invariant(field.Range!.Min), Maximum = Invariant(field.Range.Max),
            Description = $"How much larger the result is ({field.Range.Min}-{field.Range.Max})",
        },
        RequestField.Callback => new OpenApiSchema
        {
            Type = JsonSchemaType.String, Format = "uri", MaxLength = CallbackUrlMaxLength,
            Description = classic
                ? "HTTP or HTTPS URL that receives the task's query response when it is completed, failed or cancelled"
                : "HTTPS URL that receives the task's query response when it is completed, failed or cancelled",
        },
        _ when field.Choices is { } choices => Choices(field, choices, classic),
        _ => throw new InvalidOperationException($"no documentation shape for the field {field.Field}"),
    };

    private static OpenApiSchema Choices(ModelField field, ChoiceSet set, bool classic)
    {
        var offered = set.In(classic);
        var numeric = classic && set.HasNumbers;
        var byDefault = set.Choices.Single(c => c.Value == set.Default);
        return new OpenApiSchema
        {
            Type = numeric ? JsonSchemaType.Integer : JsonSchemaType.String,
            Enum = offered.Select(c => numeric ? (JsonNode)JsonValue.Create(c.Classic!.Value) : JsonValue.Create(c.Unified!)).ToList(),
            Default = field.Required ? null : numeric ? JsonValue.Create(byDefault.Classic!.Value) : JsonValue.Create(byDefault.Unified!),
            Description = numeric
                ? $"{set.What}: " + string.Join(", ", offered.Select(c => c.Unified is null ? $"{c.Classic}" : $"{c.Classic} {c.Unified}"))
                : $"{set.What}: " + string.Join(", ", offered.Select(c => c.Unified)),
        };
    }

    private static string Invariant(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A body that passes every field rule of the model, for the documents' examples (secondary ones name <paramref name="taskId"/>).</summary>
    public static JsonObject Example(ModelEntry model, bool classic, string taskId)
    {
        ArgumentNullException.ThrowIfNull(model);
        var body = new JsonObject { ["model"] = classic ? model.ClassicName : model.UnifiedName };
        var parameters = new JsonObject();
        foreach (var field in model.Fields.Where(f => f.Required || f.Field is RequestField.ImageNumber or RequestField.Type))
        {
            JsonNode value = field.Field switch
            {
                RequestField.Prompt => "a lighthouse on a cliff at dawn",
                RequestField.ImageUrl => classic ? "https://example.com/photo.jpg" : new JsonArray("https://example.com/photo.jpg"),
                RequestField.TaskId => taskId,
                RequestField.ImageNumber => 0,
                RequestField.Scale => field.Range!.Min + 0.4m,
                _ when field.Choices is { } set => ExampleChoice(set, classic),
                _ => throw new InvalidOperationException($"no example value for the field {field.Field}"),
            };
            var name = classic ? field.ClassicName : FieldNames.Unified(field.Field);
            if (classic || FieldNames.UnifiedTopLevel(field.Field))
            {
                body[name] = value;
            }
            else
            {
                parameters[name] = value;
            }
        }
        if (parameters.Count > 0)
        {
            body[FieldNames.ModelParams] = parameters;
        }
        return body;
    }

    private static JsonNode ExampleChoice(ChoiceSet set, bool classic)
    {
        var choice = set.Choices.Single(c => c.Value == set.Default);
        return classic && set.HasNumbers ? choice.Classic!.Value : choice.Unified!;
    }
}
