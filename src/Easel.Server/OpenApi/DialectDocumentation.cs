using System.Text.Json.Nodes;
using Easel.Core.Tasks;
using Easel.Server.Http;
using Microsoft.OpenApi;

namespace Easel.Server.OpenApi;

/// <summary>A named example of a request or response body, as the document shows it.</summary>
internal sealed record NamedExample(string Name, string Summary, JsonNode Value);

/// <summary>
/// What one dialect tells its OpenAPI document (/openapi/{Name}.json) about itself: its title, tags, the wording
/// and examples of its error bodies, and the notes its shapes need beyond their types (enums computed from code).
/// The endpoints carry the rest as metadata (group name, Accepts/Produces, examples).
/// </summary>
internal interface IDialectDocumentation
{
    string Name { get; }

    string Title { get; }

    string Description { get; }

    IReadOnlyList<(string Name, string Description)> Tags { get; }

    /// <summary>The type of the dialect's error body: responses of this type get <see cref="ErrorDescription"/> and examples.</summary>
    Type ErrorBody { get; }

    string ErrorDescription(int status);

    IReadOnlyList<NamedExample> ErrorExamples(int status);

    /// <summary>The component name of a type where it differs from the type's name (the seed's names), or null.</summary>
    string? SchemaName(Type type);

    /// <summary>Adds what the type alone cannot say to the schema of one of the dialect's shapes.</summary>
    void Describe(Type type, OpenApiSchema schema, OpenApiDocument? document);

    /// <summary>Adds what no type describes to the finished document (the catalog's models without a typed shape).</summary>
    void Complete(OpenApiDocument document);
}

/// <summary>Examples attached to an endpoint: of its request body (Status null) or of one response status.</summary>
internal sealed record EndpointExamples(int? Status, Func<IServiceProvider, IReadOnlyList<NamedExample>> Build);

/// <summary>The documented request body type; it lists no content type, so routing matches any (see DocumentsJsonBody).</summary>
internal sealed record DocumentedBody(Type RequestType) : Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata
{
    public IReadOnlyList<string> ContentTypes => [];

    public bool IsOptional => false;
}

/// <summary>A second accepted shape of an endpoint's request body (the classic wrapped envelope): the body is oneOf both.</summary>
internal sealed record AlternativeRequestBody(Type Type);

internal static class DocumentationMetadata
{
    public static TBuilder WithRequestExamples<TBuilder>(this TBuilder builder, Func<IServiceProvider, IReadOnlyList<NamedExample>> build)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new EndpointExamples(null, build));

    public static TBuilder WithResponseExamples<TBuilder>(this TBuilder builder, int status, Func<IServiceProvider, IReadOnlyList<NamedExample>> build)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new EndpointExamples(status, build));

    /// <summary>
    /// Documents a JSON request body of type T without making routing refuse other content types: the handlers read
    /// the body by hand whatever its Content-Type (curl -d sends form-urlencoded), and Accepts&lt;T&gt;("application/json")
    /// would answer 415 instead. No content type listed means no routing constraint; the document says application/json.
    /// </summary>
    public static TBuilder DocumentsJsonBody<T, TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new DocumentedBody(typeof(T)));

    public static TBuilder AcceptsAlso<T, TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AlternativeRequestBody(typeof(T)));

    /// <summary>Documents the dialect's error body for these statuses (on a group: for each endpoint in it).</summary>
    public static TBuilder ProducesErrors<TBuilder>(this TBuilder builder, IDialectDocumentation dialect, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(dialect);
        foreach (var status in statuses)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, dialect.ErrorBody, ["application/json"]));
        }
        return builder;
    }

    /// <summary>Documents the optional Idempotency-Key header of a create.</summary>
    public static TBuilder WithIdempotencyKeyHeader<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = Idempotency.Header,
                In = ParameterLocation.Header,
                Required = false,
                Description = "The same key with the same body within the idempotency window returns the first task; with another body, 409",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = Idempotency.MaxKeyLength },
            });
            return Task.CompletedTask;
        });

    /// <summary>Documents the query parameters of GET /v1/tasks (the handler reads the query by hand).</summary>
    public static TBuilder WithTaskListQuery<TBuilder>(this TBuilder builder, IReadOnlyList<string> states)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "limit",
                In = ParameterLocation.Query,
                Description = "Tasks per page, newest first",
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Integer,
                    Minimum = "1",
                    Maximum = TaskListQuery.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Default = JsonValue.Create(TaskListQuery.DefaultLimit),
                },
            });
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "state",
                In = ParameterLocation.Query,
                Description = "Only tasks in this state (failed includes cancelled ones)",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. states.Select(s => (JsonNode)JsonValue.Create(s))] },
            });
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "before",
                In = ParameterLocation.Query,
                Description = "The id of the last task of the previous page",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
            return Task.CompletedTask;
        });

    /// <summary>A multipart/form-data body with one required file field (the handler reads the form by hand).</summary>
    public static TBuilder WithMultipartFile<TBuilder>(this TBuilder builder, string field)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["multipart/form-data"] = new()
                    {
                        Schema = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            Required = new HashSet<string> { field },
                            Properties = new Dictionary<string, IOpenApiSchema>
                            {
                                [field] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "A PNG or JPEG image" },
                            },
                        },
                    },
                },
            };
            return Task.CompletedTask;
        });

    /// <summary>A response body of images (the file endpoints).</summary>
    public static TBuilder ProducesImages<TBuilder>(this TBuilder builder, params string[] contentTypes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Responses ??= [];
            operation.Responses["200"] = new OpenApiResponse
            {
                Description = "The image",
                Content = contentTypes.ToDictionary(
                    t => t, _ => new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } }),
            };
            return Task.CompletedTask;
        });
}
