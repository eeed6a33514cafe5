using Easel.Core.Operations;
using Easel.Core.Outbound;
using Easel.Core.Pricing;
using Easel.Core.Tasks;
using Easel.Server.Auth;
using Easel.Server.Hosting;
using Easel.Server.Http;
using Easel.Server.Observability;
using Easel.Server.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Easel.Server.Dialects.Classic;

/// <summary>The classic dialect (midjourney_* models): POST /model/v1/generation, GET .../task/{id}, cancel.</summary>
internal static class ClassicEndpoints
{
    public static IEndpointRouteBuilder MapClassicDialect(this IEndpointRouteBuilder app)
    {
        var docs = ClassicDocumentation.Instance;
        var group = app.MapGroup("/model/v1/generation").RequireApiKey(ClassicErrors.Instance)
            .WithGroupName(docs.Name).ProducesErrors(docs, 401, 500);
        group.MapPost("", CreateAsync)
            .WithName("createGeneration").WithTags(ClassicDocumentation.GenerationTag)
            .WithSummary("Create a task (any midjourney_* model of GET /v1/models)")
            .WithDescription("Validates the body (flat, or wrapped in input[0].params), reserves the price and stores the task; "
                + "a worker then produces the model's images (four, or one for upscale and remove-bg). Follow it with GET /model/v1/generation/task/{id} or a callback.")
            .DocumentsJsonBody<ClassicCreateRequest, RouteHandlerBuilder>().AcceptsAlso<ClassicWrappedRequest, RouteHandlerBuilder>()
            .WithRequestExamples(ClassicDocumentation.CreateExamples)
            .WithIdempotencyKeyHeader()
            .Produces<ClassicTaskView>(StatusCodes.Status200OK).WithResponseExamples(StatusCodes.Status200OK, ClassicDocumentation.TaskExamples)
            .ProducesErrors(docs, 400, 402, 403, 404, 409, 413, 429);
        group.MapGet("/task/{taskId}", GetAsync)
            .WithName("getGenerationTask").WithTags(ClassicDocumentation.TasksTag)
            .WithSummary("Query a task: status, progress, output when completed, error when failed")
            .Produces<ClassicTaskView>(StatusCodes.Status200OK).WithResponseExamples(StatusCodes.Status200OK, ClassicDocumentation.TaskExamples)
            .ProducesErrors(docs, 404);
        group.MapPost("/task/{taskId}/cancel", CancelAsync)
            .WithName("cancelGenerationTask").WithTags(ClassicDocumentation.TasksTag)
            .WithSummary("Cancel a pending or processing task; it reads cancelled, its reservation refunded")
            .Produces<ClassicTaskView>(StatusCodes.Status200OK)
            .ProducesErrors(docs, 404, 409);
        group.MapDelete("/task/{taskId}/files", DeleteFilesAsync)
            .WithName("deleteGenerationTaskFiles").WithTags(ClassicDocumentation.TasksTag)
            .WithSummary("Delete a finished task's result files and the uploads no other task of yours still uses (an Easel extension); "
                + "the task stays, without output; idempotent")
            .Produces<ClassicTaskView>(StatusCodes.Status200OK)
            .ProducesErrors(docs, 404, 409);
        return app;
    }

    private static async Task<IResult> CreateAsync(
        HttpContext http, TaskService tasks, PublicUrls urls, AddressPolicy policy, PriceTable prices, IOptions<EaselOptions> options)
    {
        var (body, problem, message) = await JsonBody.ReadObjectAsync(http.Request, options.Value.MaxRequestBodyBytes);
        if (problem == BodyProblem.TooLarge)
        {
            return ClassicErrors.Error(413, ClassicErrorCodes.GatewayTooLarge, message!);
        }
        if (body is null)
        {
            return ClassicErrors.Error(400, ClassicErrorCodes.GatewayBadRequest, message!);
        }
        using (body)
        {
            var (fields, refusal) = ClassicRequestReader.Read(body.Root);
            if (refusal is not null)
            {
                return refusal;
            }
            var kind = fields!.Kind;
            var (command, error) = OperationParser.Parse(fields, ParseProfiles.Classic(urls, policy, http.Request));
            if (error is not null)
            {
                return ClassicErrors.Error(400, ClassicErrorCodes.For(kind, error), error.Message);
            }
            var (idempotency, idempotencyProblem) = Idempotency.From(http.Request, body.Sha256);
            if (idempotencyProblem is not null)
            {
                return ClassicErrors.Error(400, ClassicErrorCodes.GatewayBadRequest, idempotencyProblem);
            }
            var result = await tasks.CreateAsync(http.Caller(), Dialect.Classic, command! with { BaseUrl = urls.BaseUrl(http.Request), RequestId = http.RequestId() }, idempotency, http.RequestAborted);
            return result.Status switch
            {
                CreateStatus.Created or CreateStatus.Replayed => View(http, result.Task!, urls, prices),
                CreateStatus.SourceNotFound => ClassicErrors.Error(404, ClassicErrorCodes.TaskIdMissing(kind), result.Message!),
                CreateStatus.SourceNotReady => ClassicErrors.Error(409, ClassicErrorCodes.InvalidImageNumber(kind), result.Message!),
                CreateStatus.ModelNotAllowed => ClassicErrors.Error(403, ClassicErrorCodes.GatewayForbidden,
                    $"Token does not have access to model: {fields.Model.ClassicName}"),
                CreateStatus.ModelNotAvailable => ClassicErrors.Error(400, ClassicErrorCodes.GatewayBadRequest,
                    ModelAvailability.Refusal(fields.Model.ClassicName, result)),
                CreateStatus.InvalidField => ClassicErrors.Error(400, ClassicErrorCodes.For(kind, result.Field!), result.Message!),
                CreateStatus.InsufficientCredits => ClassicErrors.Error(402, ClassicErrorCodes.GatewayInsufficientQuota, result.Message!),
                CreateStatus.RateLimited or CreateStatus.TooManyActive => new RetryAfterResult(
                    ClassicErrors.Error(429, ClassicErrorCodes.GatewayRateLimited, result.Message!), result.RetryAfter),
                CreateStatus.IdempotencyConflict => ClassicErrors.Error(409, ClassicErrorCodes.GatewayConflict, result.Message!),
                _ => throw new InvalidOperationException($"unhandled create status {result.Status}"),
            };
        }
    }

    private static async Task<IResult> GetAsync(string taskId, HttpContext http, TaskService tasks, PublicUrls urls, PriceTable prices)
    {
        var task = await tasks.FindAsync(http.Account(), taskId, http.RequestAborted);
        return task is null
            ? ClassicErrors.Error(404, ClassicErrorCodes.GatewayNotFound, $"Task {taskId} was not found")
            : View(http, task, urls, prices);
    }

    private static async Task<IResult> CancelAsync(string taskId, HttpContext http, TaskService tasks, PublicUrls urls, PriceTable prices)
    {
        var task = await tasks.CancelAsync(http.Account(), taskId, http.RequestAborted);
        if (task is null)
        {
            return ClassicErrors.Error(404, ClassicErrorCodes.GatewayNotFound, $"Task {taskId} was not found");
        }
        if (task.State != TaskState.Cancelled)
        {
            return ClassicErrors.Error(409, ClassicErrorCodes.GatewayConflict,
                $"Task {taskId} is already {task.State.ToString().ToLowerInvariant()} and cannot be cancelled");
        }
        return View(http, task, urls, prices);
    }

    private static async Task<IResult> DeleteFilesAsync(string taskId, HttpContext http, TaskService tasks, PublicUrls urls, PriceTable prices)
    {
        var (status, task) = await tasks.DeleteFilesAsync(http.Account(), taskId, http.RequestAborted);
        return status switch
        {
            FilesDeleteStatus.NotFound => ClassicErrors.Error(404, ClassicErrorCodes.GatewayNotFound, $"Task {taskId} was not found"),
            FilesDeleteStatus.NotFinished => ClassicErrors.Error(409, ClassicErrorCodes.GatewayConflict,
                $"Task {taskId} is {ClassicTaskView.StatusOf(task!.State)}: only a finished task's files can be deleted (cancel it first)"),
            _ => View(http, task!, urls, prices),
        };
    }

    private static JsonHttpResult<ClassicTaskView> View(HttpContext http, TaskRecord task, PublicUrls urls, PriceTable prices) =>
        TypedResults.Json(ClassicTaskView.From(task, prices, urls.BaseUrl(http.Request), PublicUrls.FileUrl), ClassicJson.Options);
}
