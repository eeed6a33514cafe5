using System.Text.Json.Serialization;
using Easel.Core.Callbacks;
using Easel.Core.Tasks;
using Easel.Server.Auth;
using Easel.Server.Dialects.Classic;
using Easel.Server.Dialects.Unified;
using Easel.Server.OpenApi;

namespace Easel.Server.Callbacks;

/// <summary>The state of a task's callback deliveries: GET /v1/tasks/{id}/callbacks and its classic twin.</summary>
internal static class CallbackEndpoints
{
    public static IEndpointRouteBuilder MapCallbacks(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/tasks/{taskId}/callbacks", async (string taskId, HttpContext http, TaskService tasks, ICallbackStore store) =>
            await ListAsync(taskId, http, tasks, store) ?? UnifiedErrors.NotFound($"Task {taskId} was not found"))
            .RequireApiKey(UnifiedErrors.Instance)
            .WithGroupName(UnifiedDocumentation.DocumentName).WithTags(UnifiedDocumentation.TasksTag).WithName("listTaskCallbacks")
            .WithSummary("The callback deliveries of a task and the outcome of each")
            .Produces<DeliveryList>(StatusCodes.Status200OK).ProducesErrors(UnifiedDocumentation.Instance, 401, 404, 500);
        app.MapGet("/model/v1/generation/task/{taskId}/callbacks", async (string taskId, HttpContext http, TaskService tasks, ICallbackStore store) =>
            await ListAsync(taskId, http, tasks, store) ?? ClassicErrors.Error(404, ClassicErrorCodes.GatewayNotFound, $"Task {taskId} was not found"))
            .RequireApiKey(ClassicErrors.Instance)
            .WithGroupName(ClassicDocumentation.DocumentName).WithTags(ClassicDocumentation.TasksTag).WithName("listGenerationTaskCallbacks")
            .WithSummary("The callback deliveries of a task and the outcome of each")
            .Produces<DeliveryList>(StatusCodes.Status200OK).ProducesErrors(ClassicDocumentation.Instance, 401, 404, 500);
        return app;
    }

    private static async Task<IResult?> ListAsync(string taskId, HttpContext http, TaskService tasks, ICallbackStore store)
    {
        var task = await tasks.FindAsync(http.Account(), taskId, http.RequestAborted);
        if (task is null)
        {
            return null;
        }
        var deliveries = await store.ForTaskAsync(task.Id, http.RequestAborted);
        return TypedResults.Json(new DeliveryList(task.Id, task.CallbackUrl, deliveries.Select(DeliveryView.From).ToList()), UnifiedJson.Options);
    }

    internal sealed record DeliveryList(
        [property: JsonPropertyName("task_id")] string TaskId,
        [property: JsonPropertyName("callback_url")] string? CallbackUrl,
        [property: JsonPropertyName("data")] IReadOnlyList<DeliveryView> Data);

    internal sealed record DeliveryView(
        [property: JsonPropertyName("delivery_id")] string DeliveryId,
        [property: JsonPropertyName("event")] string Event,
        [property: JsonPropertyName("url")] string Url,
        [property: JsonPropertyName("status")] string Status,
        [property: JsonPropertyName("attempts")] int Attempts,
        [property: JsonPropertyName("last_status")] int? LastStatus,
        [property: JsonPropertyName("last_error")] string? LastError,
        [property: JsonPropertyName("delivered_at")] long? DeliveredAt,
        [property: JsonPropertyName("next_attempt_at")] long? NextAttemptAt,
        [property: JsonPropertyName("created")] long Created)
    {
        public static DeliveryView From(CallbackDelivery d) => new(
            d.Id, d.Event, d.Url, d.State.ToString().ToLowerInvariant(), d.Attempts, d.LastStatus, d.LastError,
            d.DeliveredAt?.ToUnixTimeSeconds(), d.State == DeliveryState.Pending ? d.NextAttemptAt.ToUnixTimeSeconds() : null,
            d.CreatedAt.ToUnixTimeSeconds());
    }
}
