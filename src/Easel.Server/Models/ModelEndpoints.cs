using Easel.Core.Engines;
using Easel.Core.Pricing;
using Easel.Server.Auth;
using Easel.Server.Dialects.Classic;
using Easel.Server.Dialects.Unified;
using Easel.Server.OpenApi;

namespace Easel.Server.Models;

/// <summary>
/// The model list (an Easel extension, API.md section 9), once per dialect so each document lists it with its own
/// error shape: GET /v1/models and GET /model/v1/models answer the same list, every model under both its names.
/// </summary>
internal static class ModelEndpoints
{
    public const string Summary = "List every model: both names, category, image count, prices per speed, and whether this server serves it "
        + "(an Easel extension)";

    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1").RequireApiKey(UnifiedErrors.Instance)
            .WithGroupName(UnifiedDocumentation.DocumentName).ProducesErrors(UnifiedDocumentation.Instance, 401, 500)
            .MapGet("/models", List).WithName("listModels").WithTags(UnifiedDocumentation.GenerationTag)
            .WithSummary(Summary).Produces<ModelListView>(StatusCodes.Status200OK);
        app.MapGroup("/model/v1").RequireApiKey(ClassicErrors.Instance)
            .WithGroupName(ClassicDocumentation.DocumentName).ProducesErrors(ClassicDocumentation.Instance, 401, 500)
            .MapGet("/models", List).WithName("listGenerationModels").WithTags(ClassicDocumentation.GenerationTag)
            .WithSummary(Summary).Produces<ModelListView>(StatusCodes.Status200OK);
        return app;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<ModelListView> List(HttpContext http, PriceTable prices, EngineDirectory engines) =>
        TypedResults.Json(ModelList.For(prices, engines, http.Account().Group), Dialects.Unified.UnifiedJson.Options);
}
