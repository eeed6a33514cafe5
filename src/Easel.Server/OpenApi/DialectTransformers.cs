using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Easel.Server.Dialects;
using Easel.Server.Auth;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Easel.Server.OpenApi;

/// <summary>The document, operation and schema transformers that turn the endpoints' metadata into a dialect's document.</summary>
internal static class DialectTransformers
{
    /// <summary>The seed's name for the bearer scheme, kept so clients generated from it find the same scheme.</summary>
    public const string SecurityScheme = "bearerAuth";

    private const string Json = "application/json";

    public static void Apply(OpenApiOptions options, IDialectDocumentation dialect)
    {
        options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
        options.AddDocumentTransformer((document, _, _) =>
        {
            DescribeDocument(document, dialect);
            dialect.Complete(document);
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, cancellationToken) => DescribeOperationAsync(operation, context, dialect, cancellationToken));
        options.CreateSchemaReferenceId = info => dialect.SchemaName(info.Type) ?? OpenApiOptions.CreateDefaultSchemaReferenceId(info);
        options.AddSchemaTransformer((schema, context, _) =>
        {
            // Only a type's own schema: a property's schema (JsonPropertyInfo set) is the same type seen from outside.
            // Called for a type's own schema and again where it is a property's schema (a nested type is only ever
            // met that way); the notes depend on the type alone, so applying them each time is harmless.
            DescribeEnum(context.JsonTypeInfo.Type, schema);
            DescribeSchema(context.JsonTypeInfo, schema);
            dialect.Describe(context.JsonTypeInfo.Type, schema, context.Document);
            return Task.CompletedTask;
        });
    }

    private static void DescribeEnum(Type type, OpenApiSchema schema)
    {
        if (type.IsEnum && schema.Enum is { Count: > 0 } values && values.All(v => v?.GetValueKind() == JsonValueKind.String))
        {
            if (type == typeof(Easel.Core.Operations.Speed))
            {
                // Only the seeds' four typed shapes use this component, and they take fast or turbo (draft is imagine's,
                // whose shape comes from the catalog with its own list).
                schema.Enum = Easel.Core.Models.ModelCatalog.Of(Easel.Core.Operations.OperationKind.UploadPaint).Speeds
                    .Select(s => (JsonNode)JsonValue.Create(JsonNamingPolicy.SnakeCaseLower.ConvertName(s.ToString()))).ToList();
            }
            // Core's enums are written as lower-case names (WireEnumConverter); a default arrives as the number.
            schema.Type = JsonSchemaType.String;
            if (schema.Default is JsonValue number && number.TryGetValue<int>(out var ordinal))
            {
                schema.Default = JsonNamingPolicy.SnakeCaseLower.ConvertName(Enum.GetName(type, ordinal)!);
            }
        }
    }

    private static void DescribeSchema(JsonTypeInfo info, OpenApiSchema schema)
    {
        var type = info.Type;
        if (!typeof(IRequestShape).IsAssignableFrom(type) || type.IsAbstract)
        {
            return;
        }
        // Required is what [Required] says, and a polymorphic body's discriminator (the model) is always required.
        var required = info.Properties
            .Where(p => p.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: true) == true)
            .Select(p => p.Name)
            .ToList();
        if (type.BaseType?.GetCustomAttribute<JsonPolymorphicAttribute>() is { TypeDiscriminatorPropertyName: { } discriminator })
        {
            required.Insert(0, discriminator);
            // The variant of one model: its model has that one value, which is also its default (as in the seed).
            if (schema.Properties?.TryGetValue(discriminator, out var model) == true && model is OpenApiSchema { Enum: [var only] } property)
            {
                property.Default = only?.DeepClone();
            }
        }
        schema.Type ??= JsonSchemaType.Object;
        schema.Required = new HashSet<string>(required);
    }

    private static void DescribeDocument(OpenApiDocument document, IDialectDocumentation dialect)
    {
        document.Info = new OpenApiInfo { Title = dialect.Title, Description = dialect.Description, Version = "1.0.0" };
        document.Tags = new HashSet<OpenApiTag>(dialect.Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SecurityScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "Every endpoint but GET /files takes an API key as `Authorization: Bearer <key>`. "
                + "The first admin key is printed at the first start (or set with Easel__BootstrapKey); "
                + "admins create accounts and keys with POST /admin/accounts.",
        };
    }

    private static async Task DescribeOperationAsync(
        OpenApiOperation operation, OpenApiOperationTransformerContext context, IDialectDocumentation dialect, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<ApiKeyRequired>().Any())
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecurityScheme, context.Document)] = [] });
        }

        foreach (var type in context.Description.SupportedResponseTypes.Where(t => t.Type == dialect.ErrorBody))
        {
            if (operation.Responses?.TryGetValue(type.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), out var found) == true
                && found is OpenApiResponse response)
            {
                response.Description = dialect.ErrorDescription(type.StatusCode);
                AddExamples(response.Content, dialect.ErrorExamples(type.StatusCode));
                if (type.StatusCode == StatusCodes.Status429TooManyRequests)
                {
                    response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    response.Headers["Retry-After"] = new OpenApiHeader
                    {
                        Description = "Seconds to wait before trying again",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
                    };
                }
            }
        }

        foreach (var examples in metadata.OfType<EndpointExamples>())
        {
            var built = examples.Build(context.ApplicationServices);
            if (examples.Status is null)
            {
                AddExamples(operation.RequestBody?.Content, built);
            }
            else if (operation.Responses?.TryGetValue(examples.Status.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), out var found) == true
                && found is OpenApiResponse response)
            {
                AddExamples(response.Content, built);
            }
        }

        foreach (var alternative in metadata.OfType<AlternativeRequestBody>())
        {
            if (operation.RequestBody?.Content?.TryGetValue(Json, out var media) == true && media.Schema is { } first)
            {
                var schema = await context.GetOrCreateSchemaAsync(alternative.Type, cancellationToken: cancellationToken);
                var name = alternative.Type.Name;
                context.Document!.AddComponent<IOpenApiSchema>(name, schema);
                media.Schema = new OpenApiSchema { OneOf = [first, new OpenApiSchemaReference(name, context.Document)] };
            }
        }
    }

    private static void AddExamples(IDictionary<string, OpenApiMediaType>? content, IReadOnlyList<NamedExample> examples)
    {
        if (content is null || !content.TryGetValue(Json, out var media) || examples.Count == 0)
        {
            return;
        }
        media.Examples ??= new Dictionary<string, IOpenApiExample>();
        foreach (var example in examples)
        {
            media.Examples[example.Name] = new OpenApiExample { Summary = example.Summary, Value = example.Value.DeepClone() };
        }
    }
}
