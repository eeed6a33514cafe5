using Easel.Core.Models;
using System.Text.Json;
using System.Text.Json.Nodes;
using Easel.Core.Pricing;
using Easel.Core.Tasks;
using Easel.Server.Http;
using Easel.Server.OpenApi;
using Microsoft.OpenApi;

namespace Easel.Server.Dialects.Unified;

/// <summary>What the unified document says beyond the endpoints' metadata: wording, examples, enums computed from the views.</summary>
internal sealed class UnifiedDocumentation : IDialectDocumentation
{
    public const string DocumentName = "unified";
    public const string GenerationTag = "Image Generation";
    public const string TasksTag = "Task Management";
    public const string FilesTag = "Files";
    public const string AccountTag = "Account";

    public static readonly UnifiedDocumentation Instance = new();

    public string Name => DocumentName;

    public string Title => "Easel: unified dialect (EvoLink-compatible)";

    public string Description =>
        "Midjourney-style image editing as asynchronous tasks: create a task with POST /v1/images/generations, "
        + "follow it with GET /v1/tasks/{task_id} (or a callback_url), build on any of its images (four, or one for upscale and remove-bg; GET /v1/models lists every model) by task_id and image_number. "
        + "Errors are `{\"error\": {\"code\", \"message\", \"type\", \"param\"}}` with the HTTP status.";

    public IReadOnlyList<(string Name, string Description)> Tags =>
    [
        (GenerationTag, "AI image generation endpoints: " + string.Join(", ", ModelCatalog.All.Select(m => m.Operation))),
        (TasksTag, "Query and cancel tasks; see their callback deliveries"),
        (FilesTag, "Upload source images; download results"),
        (AccountTag, "The account of the key"),
    ];

    public Type ErrorBody => typeof(UnifiedErrorBody);

    public string ErrorDescription(int status) => status switch
    {
        400 => "Invalid request parameters (`param` names the field), or `model_not_available`: no engine on this server serves the model",
        401 => "Unauthorized: no key, an unknown key or a revoked key",
        402 => "Insufficient quota, please top up",
        403 => "Access denied: the key may not use this model",
        404 => "Not found: an unknown task, or a task of another account",
        409 => "Conflict: the source task is not completed or has no such image, the task can no longer be cancelled, "
            + "or the Idempotency-Key was used with another body",
        413 => "The request body is over the limit",
        429 => "Rate limit exceeded: see Retry-After",
        500 => "Internal server error",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "no unified error is documented for this status"),
    };

    public IReadOnlyList<NamedExample> ErrorExamples(int status) => status switch
    {
        400 =>
        [
            Error("invalid_request", "A missing or invalid field", 400, UnifiedErrors.InvalidRequest("the prompt is required", "prompt")),
            Error("invalid_mask", "A field inside model_params", 400,
                UnifiedErrors.InvalidRequest("mask points must be an even number of 6-8192 values (at least three x, y pairs)", "model_params.mask.areas[0].points")),
            Error("model_not_available", "A model no engine on this server serves (nothing is reserved)", 400,
                UnifiedErrors.ModelNotAvailable("Model mj-v7 is not available on this server: no engine on this server can imagine. "
                    + "It needs an engine with the 'Imagine' capability (an upstream engine in Easel:Engines, API.md section 10); GET /v1/models lists what is served here.")),
        ],
        401 => [Error("unauthorized", "Invalid or revoked key", 401, UnifiedErrors.Instance.Unauthorized("Invalid or revoked API key"))],
        402 => [Error("insufficient_quota", "Balance below the price", 402,
            UnifiedErrors.InsufficientQuota("Insufficient quota. The balance is 2.5 credits; this task needs 8.1."))],
        403 => [Error("model_access_denied", "The key may not use this model", 403, UnifiedErrors.ModelAccessDenied(ModelCatalog.UploadPaintUnified))],
        404 => [Error("resource_not_found", "Unknown task", 404, UnifiedErrors.NotFound("Task task-unified-1757165031-k3x9q2mw was not found"))],
        409 => [Error("source_not_ready", "The source task is not completed", 409,
            UnifiedErrors.Conflict("Task task-unified-1757164000-a1b2c3d4 is processing; only a completed task can be a source", "model_params.task_id"))],
        413 => [Error("request_too_large", "Body over the limit", 413, UnifiedErrors.TooLarge("The request body is 2097152 bytes; the limit is 1048576 bytes"))],
        429 => [Error("rate_limit_exceeded", "Over the key's rate", 429,
            UnifiedErrors.RateLimited("Too many requests, please try again later", TimeSpan.FromSeconds(2)))],
        500 => [Error("internal_error", "A fault of the server", 500, UnifiedErrors.Internal())],
        _ => [],
    };

    /// <summary>The task object in each state, rendered by <see cref="UnifiedTaskView"/> itself.</summary>
    public static IReadOnlyList<NamedExample> TaskExamples(IServiceProvider services)
    {
        var prices = services.GetRequiredService<PriceTable>();
        return ExampleTasks.All(Dialect.Unified, prices)
            .Select(e => new NamedExample(e.Name, e.Summary, JsonSerializer.SerializeToNode(
                UnifiedTaskView.From(e.Task, ExampleTasks.EstimatedSeconds, ExampleTasks.BaseUrl, PublicUrls.FileUrl), UnifiedJson.Options)!))
            .ToList();
    }

    /// <summary>One example body per model; a test posts each of them and expects it to pass validation.</summary>
    public static IReadOnlyList<NamedExample> CreateExamples(IServiceProvider services) =>
    [
        new("upload_paint_example", "mj-v7-upload-paint: place an image on a canvas and paint the rest", JsonNode.Parse("""
            {"model": "mj-v7-upload-paint", "prompt": "Beautiful mountain scenery background",
             "image_urls": ["https://example.com/photo.jpg"],
             "model_params": {"mask": {"areas": [{"width": 100, "height": 100, "points": [10, 10, 10, 100, 100, 100, 100, 10]}]},
                              "canvas": {"width": 1024, "height": 1024},
                              "img_pos": {"width": 512, "height": 512, "x": 256, "y": 256}, "speed": "fast"}}
            """)!),
        new("edit_example", "mj-v7-edit: re-place an earlier output on a wider canvas", JsonNode.Parse("""
            {"model": "mj-v7-edit", "prompt": "the same harbour at dusk, wider",
             "model_params": {"task_id": "task-unified-1757164000-a1b2c3d4", "image_number": 2,
                              "canvas": {"width": 1536, "height": 1024},
                              "img_pos": {"width": 1024, "height": 1024, "x": 256, "y": 0}},
             "callback_url": "https://your-domain.com/webhooks/image-task-completed"}
            """)!),
        new("inpaint_example", "mj-v7-inpaint: repaint a region of an earlier output", JsonNode.Parse("""
            {"model": "mj-v7-inpaint", "prompt": "a red kite in the sky",
             "model_params": {"task_id": "task-unified-1757164000-a1b2c3d4", "image_number": 0,
                              "mask": {"areas": [{"width": 1024, "height": 1024, "points": [100, 100, 100, 600, 600, 600, 600, 100]}]}}}
            """)!),
        new("remix_example", "mj-v7-remix: the same picture under a new prompt", JsonNode.Parse("""
            {"model": "mj-v7-remix", "prompt": "in the style of a woodcut",
             "model_params": {"task_id": "task-unified-1757164000-a1b2c3d4", "image_number": 1, "mode": "subtle", "speed": "turbo"}}
            """)!),
        .. ModelCatalog.All.Where(m => !CatalogSchemas.TypedModels(typeof(UnifiedCreateRequest), classic: false).Contains(m.Kind))
            .Select(m => new NamedExample($"{m.Operation.Replace('-', '_')}_example", $"{m.UnifiedName}: {m.Summary}",
                CatalogSchemas.Example(m, classic: false, "task-unified-1757164000-a1b2c3d4"))),
    ];

    /// <summary>The seed's component names for the shapes it defines, so clients generated from it meet the same names.</summary>
    public string? SchemaName(Type type) =>
        type == typeof(UnifiedTaskView) ? "ImageGenerationResponse"
        : type == typeof(UnifiedErrorBody) ? "ErrorResponse"
        : type == typeof(UnifiedTaskInfo) ? "TaskInfo"
        : type == typeof(UnifiedUsage) ? "Usage"
        : null;

    public void Complete(OpenApiDocument document) =>
        CatalogSchemas.AddModels(document, nameof(UnifiedCreateRequest), classic: false, CatalogSchemas.TypedModels(typeof(UnifiedCreateRequest), classic: false));

    public void Describe(Type type, OpenApiSchema schema, OpenApiDocument? document)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (type == typeof(UnifiedTaskView))
        {
            // Every value the view can write, computed from the view itself, plus those the seed lists for other task kinds.
            Enum(schema, "status", System.Enum.GetValues<TaskState>().Select(UnifiedTaskView.StatusOf).Distinct());
            Enum(schema, "object", [UnifiedTaskView.ObjectType]);
            Enum(schema, "type", UnifiedTaskView.SeedTypes);
            Enum(schema, "model", ModelCatalog.UnifiedNames);
            schema.Required = new HashSet<string>(["created", "id", "model", "object", "progress", "status", "type", "task_info", "usage"]);
        }
        else if (type == typeof(UnifiedUsage))
        {
            Enum(schema, "billing_rule", UnifiedUsage.SeedBillingRules);
            Property(schema, "credits_reserved").Minimum = "0";
        }
        else if (type == typeof(UnifiedTaskInfo))
        {
            Property(schema, "estimated_time").Minimum = "0";
        }
        else if (type == typeof(UnifiedTaskError))
        {
            Enum(schema, "code", System.Enum.GetValues<FailureKind>().Select(UnifiedTaskView.CodeOf).Append(UnifiedTaskView.CancelledCode).Distinct());
        }
    }

    private static NamedExample Error(string name, string summary, int status, IResult result) =>
        new(name, summary, ExampleTasks.BodyOf(result, status, UnifiedJson.Options));

    private static void Enum(OpenApiSchema schema, string property, IEnumerable<string> values) =>
        Property(schema, property).Enum = values.Select(v => (JsonNode)JsonValue.Create(v)).ToList();

    private static OpenApiSchema Property(OpenApiSchema schema, string name) =>
        schema.Properties?.TryGetValue(name, out var found) == true && found is OpenApiSchema property
            ? property
            : throw new InvalidOperationException($"the unified schema has no property {name}");
}
