using Easel.Core.Operations;
using Easel.Core.Outbound;
using Easel.Core.Tasks;
using Easel.Server.Auth;
using Easel.Server.Hosting;
using Easel.Server.Http;
using Easel.Server.Observability;
using Easel.Server.OpenApi;
using Microsoft.Extensions.Options;

namespace Easel.Server.Dialects.Unified;

/// <summary>The unified (EvoLink-compatible) dialect: POST /v1/images/generations, GET /v1/tasks/{id}, cancel.</summary>
internal static class UnifiedEndpoints
{
    public static IEndpointRouteBuilder MapUnifiedDialect(this IEndpointRouteBuilder app)
    {
        var docs = UnifiedDocumentation.Instance;
        var v1 = app.MapGroup("/v1").RequireApiKey(UnifiedErrors.Instance)
            .WithGroupName(docs.Name).ProducesErrors(docs, 401, 500);
        v1.MapPost("/images/generations", CreateAsync)
            .WithName("createImageGeneration").WithTags(UnifiedDocumentation.GenerationTag)
            .WithSummary("Create an image task (any model of GET /v1/models)")
            .WithDescription("Validates the body, reserves the price and stores the task; a worker then produces the model's images (four, or one for upscale and remove-bg). "
                + "Follow the task with GET /v1/tasks/{task_id} or a callback_url.")
            .DocumentsJsonBody<UnifiedCreateRequest, RouteHandlerBuilder>().WithRequestExamples(UnifiedDocumentation.CreateExamples)
            .WithIdempotencyKeyHeader()
            .Produces<UnifiedTaskView>(StatusCodes.Status200OK).WithResponseExamples(StatusCodes.Status200OK, UnifiedDocumentation.TaskExamples)
            .ProducesErrors(docs, 400, 402, 403, 404, 409, 413, 429);
        v1.MapGet("/tasks", UnifiedTaskList.ListAsync)
            .WithName("listTasks").WithTags(UnifiedDocumentation.TasksTag)
            .WithSummary("List your own tasks, newest first, a page at a time (an Easel extension: the public API has no list)")
            .WithTaskListQuery(UnifiedTaskList.StateNames)
            .Produces<UnifiedTaskListView>(StatusCodes.Status200OK)
            .ProducesErrors(docs, 400);
        v1.MapGet("/tasks/{taskId}", GetAsync)
            .WithName("getTaskDetail").WithTags(UnifiedDocumentation.TasksTag)
            .WithSummary("Query a task: status, progress, results when completed, error when failed")
            .Produces<UnifiedTaskView>(StatusCodes.Status200OK).WithResponseExamples(StatusCodes.Status200OK, UnifiedDocumentation.TaskExamples)
            .ProducesErrors(docs, 404);
        v1.MapGet("/tasks/{taskId}/events", UnifiedTaskEvents.StreamAsync)
            .WithName("streamTaskEvents").WithTags(UnifiedDocumentation.TasksTag)
            .WithSummary("Follow a task as Server-Sent Events (an Easel extension): `progress` events {id, status, progress} on each change, then one `task` event with the finished task, then the stream ends")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesErrors(docs, 404);
        v1.MapPost("/tasks/{taskId}/cancel", CancelAsync)
            .WithName("cancelTask").WithTags(UnifiedDocumentation.TasksTag)
            .WithSummary("Cancel a pending or processing task; it reads failed with request_cancelled, its reservation refunded")
            .Produces<UnifiedTaskView>(StatusCodes.Status200OK)
            .ProducesErrors(docs, 404, 409);
        v1.MapDelete("/tasks/{taskId}/files", DeleteFilesAsync)
            .WithName("deleteTaskFiles").WithTags(UnifiedDocumentation.TasksTag)
            .WithSummary("Delete a finished task's result files and the uploads no other task of yours still uses (an Easel extension); "
                + "the task stays, without results; idempotent")
            .Produces<UnifiedTaskView>(StatusCodes.Status200OK)
            .ProducesErrors(docs, 404, 409);
        return app;
    }

    private static async Task<IResult> CreateAsync(
        HttpContext http, TaskService tasks, PublicUrls urls, AddressPolicy policy, IOptions<EaselOptions> options, TimeProvider time)
    {
        var (body, problem, message) = await JsonBody.ReadObjectAsync(http.Request, options.Value.MaxRequestBodyBytes);
        if (problem == BodyProblem.TooLarge)
        {
            return UnifiedErrors.TooLarge(message!);
        }
        if (body is null)
        {
            return UnifiedErrors.InvalidRequest(message!);
        }
        using (body)
        {
            var (fields, refusal) = UnifiedRequestReader.Read(body.Root);
            if (refusal is not null)
            {
                return refusal;
            }
            var (command, error) = OperationParser.Parse(fields!, ParseProfiles.Unified(urls, policy, http.Request));
            if (error is not null)
            {
                return UnifiedErrors.InvalidRequest(error.Message, UnifiedErrors.ParamOf(error));
            }
            var (idempotency, idempotencyProblem) = Idempotency.From(http.Request, body.Sha256);
            if (idempotencyProblem is not null)
            {
                return UnifiedErrors.InvalidRequest(idempotencyProblem, Idempotency.Header);
            }
            var result = await tasks.CreateAsync(http.Caller(), Dialect.Unified, command! with { BaseUrl = urls.BaseUrl(http.Request), RequestId = http.RequestId() }, idempotency, http.RequestAborted);
            return result.Status switch
            {
                CreateStatus.Created or CreateStatus.Replayed => await ViewAsync(http, result.Task!, tasks, urls, time),
                CreateStatus.SourceNotFound => UnifiedErrors.NotFound(result.Message!, "model_params.task_id"),
                CreateStatus.SourceNotReady => UnifiedErrors.Conflict(result.Message!, "model_params.task_id"),
                CreateStatus.ModelNotAllowed => UnifiedErrors.ModelAccessDenied(fields!.Model.UnifiedName),
                CreateStatus.ModelNotAvailable => UnifiedErrors.ModelNotAvailable(ModelAvailability.Refusal(fields!.Model.UnifiedName, result)),
                CreateStatus.InvalidField => UnifiedErrors.InvalidRequest(result.Message!, UnifiedErrors.ParamOf(result.Field!)),
                CreateStatus.InsufficientCredits => UnifiedErrors.InsufficientQuota(result.Message!),
                CreateStatus.RateLimited or CreateStatus.TooManyActive => UnifiedErrors.RateLimited(result.Message!, result.RetryAfter),
                CreateStatus.IdempotencyConflict => UnifiedErrors.Conflict(result.Message!, Idempotency.Header),
                _ => throw new InvalidOperationException($"unhandled create status {result.Status}"),
            };
        }
    }

    private static async Task<IResult> GetAsync(string taskId, HttpContext http, TaskService tasks, PublicUrls urls, TimeProvider time)
    {
        var task = await tasks.FindAsync(http.Account(), taskId, http.RequestAborted);
        return task is null ? UnifiedErrors.NotFound($"Task {taskId} was not found") : await ViewAsync(http, task, tasks, urls, time);
    }

    private static async Task<IResult> CancelAsync(string taskId, HttpContext http, TaskService tasks, PublicUrls urls, TimeProvider time)
    {
        var task = await tasks.CancelAsync(http.Account(), taskId, http.RequestAborted);
        if (task is null)
        {
            return UnifiedErrors.NotFound($"Task {taskId} was not found");
        }
        if (task.State != TaskState.Cancelled)
        {
            return UnifiedErrors.Conflict($"Task {taskId} is already {task.State.ToString().ToLowerInvariant()} and cannot be cancelled");
        }
        return await ViewAsync(http, task, tasks, urls, time);
    }

    private static async Task<IResult> DeleteFilesAsync(string taskId, HttpContext http, TaskService tasks, PublicUrls urls, TimeProvider time)
    {
        var (status, task) = await tasks.DeleteFilesAsync(http.Account(), taskId, http.RequestAborted);
        return status switch
        {
            FilesDeleteStatus.NotFound => UnifiedErrors.NotFound($"Task {taskId} was not found"),
            FilesDeleteStatus.NotFinished => UnifiedErrors.Conflict($"Task {taskId} is {UnifiedTaskView.StatusOf(task!.State)}: only a finished task's files can be deleted (cancel it first)"),
            _ => await ViewAsync(http, task!, tasks, urls, time),
        };
    }

    private static async Task<IResult> ViewAsync(HttpContext http, TaskRecord task, TaskService tasks, PublicUrls urls, TimeProvider time)
    {
        var remaining = await tasks.RemainingSecondsAsync(task, time, http.RequestAborted);
        var view = UnifiedTaskView.From(task, remaining, urls.BaseUrl(http.Request), PublicUrls.FileUrl);
        return TypedResults.Json(view, UnifiedJson.Options);
    }
}
