using System.Text.Json.Serialization;
using Easel.Server.Dialects.Classic;
using Easel.Server.Dialects.Unified;

namespace Easel.Server.OpenApi;

/// <summary>
/// One OpenAPI document per dialect, generated from the endpoints (/openapi/unified.json, /openapi/classic.json).
/// An endpoint belongs to the document named by its group name; one without a group name (GET /files) is in both.
/// </summary>
internal static class OpenApiSetup
{
    public const string DocumentPattern = "/openapi/{documentName}.json";

    public static readonly IReadOnlyList<IDialectDocumentation> Dialects = [UnifiedDocumentation.Instance, ClassicDocumentation.Instance];

    public static string DocumentUrl(IDialectDocumentation dialect) =>
        DocumentPattern.Replace("{documentName}", dialect.Name, StringComparison.Ordinal);

    public static IServiceCollection AddEaselOpenApi(this IServiceCollection services)
    {
        // The generator reads the minimal-API JSON options. Their web default reads numbers from strings, which the
        // documents would then offer ("type": ["integer", "string"]); Easel's hand-written readers refuse "1" for 1,
        // and no endpoint binds a body through these options, so strict is both true and harmless.
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        foreach (var dialect in Dialects)
        {
            services.AddOpenApi(dialect.Name, options => DialectTransformers.Apply(options, dialect));
        }
        return services;
    }

    /// <summary>The documents, without authentication: describing the API gives nothing away that a key protects.</summary>
    public static IEndpointRouteBuilder MapOpenApiDocuments(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi(DocumentPattern);
        return app;
    }
}
