using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Easel.Core.Models;
using Easel.Core.Operations;
using Easel.Core.Pricing;
using Easel.Core.Tasks;
using Easel.Server.Http;
using Easel.Server.OpenApi;
using Microsoft.OpenApi;

namespace Easel.Server.Dialects.Classic;

/// <summary>What the classic document says beyond the endpoints' metadata: wording, the code tables, examples, enums.</summary>
internal sealed class ClassicDocumentation : IDialectDocumentation
{
    public const string DocumentName = "classic";
    public const string GenerationTag = "Generation";
    public const string TasksTag = "Tasks";

    public static readonly ClassicDocumentation Instance = new();

    public string Name => DocumentName;

    public string Title => "Easel: classic dialect (midjourney_* models)";

    public string Description =>
        "Midjourney-style image editing as asynchronous tasks: create a task with POST /model/v1/generation (flat body, or "
        + "wrapped in input[0].params), follow it with GET /model/v1/generation/task/{id} (or a callback), build on any of its "
        + "images (four, or one for upscale and remove-bg; GET /model/v1/models lists every model) by jobId and imageNo. Errors are `{\"status\": \"failed\", \"error\": {\"code\": <integer>, \"error_message\"}}`; "
        + "the seeds print the codes zero-padded to 9 digits (004014001), JSON carries the integer (4014001).";

    public IReadOnlyList<(string Name, string Description)> Tags =>
    [
        (GenerationTag, "Create tasks of every midjourney_* model: " + string.Join(", ", ModelCatalog.ClassicNames)),
        (TasksTag, "Query and cancel tasks; see their callback deliveries"),
        (UnifiedFilesTag, "Download results"),
    ];

    /// <summary>GET /files is shared by both documents under the same tag.</summary>
    public const string UnifiedFilesTag = Unified.UnifiedDocumentation.FilesTag;

    public Type ErrorBody => typeof(ClassicErrorBody);

    public string ErrorDescription(int status) => status switch
    {
        400 => "Invalid request: the code is the model's (table below), or 4000400 for a malformed body, an unknown model, "
            + "or a field the model's table has no code for.\n\n" + CodeTable(),
        401 => $"Unauthorized: no key, an unknown key or a revoked key ({ClassicErrorCodes.GatewayUnauthorized})",
        402 => $"Insufficient quota, please top up ({ClassicErrorCodes.GatewayInsufficientQuota})",
        403 => $"Access denied: the key may not use this model ({ClassicErrorCodes.GatewayForbidden})",
        404 => $"Not found: an unknown task or one of another account ({ClassicErrorCodes.GatewayNotFound}); "
            + "on create, an unknown jobId has the model's task-ID code (…001)",
        409 => "Conflict: on create, the source task is not completed or has no such image (the model's image-number code, …003); "
            + $"otherwise the task can no longer be cancelled, or the Idempotency-Key was used with another body ({ClassicErrorCodes.GatewayConflict})",
        413 => $"The request body is over the limit ({ClassicErrorCodes.GatewayTooLarge})",
        429 => $"Rate limit exceeded: see Retry-After ({ClassicErrorCodes.GatewayRateLimited})",
        500 => $"Internal server error ({ClassicErrorCodes.GatewayInternal})",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "no classic error is documented for this status"),
    };

    public IReadOnlyList<NamedExample> ErrorExamples(int status) => status switch
    {
        400 => ModelCatalog.All
            .Select(model =>
            {
                var field = model.Fields[0];
                var code = ClassicErrorCodes.For(model.Kind, new FieldError(field.Field, FieldProblem.Missing, ""));
                return Error($"{model.ClassicName}_missing_{field.ClassicName}",
                    $"{model.ClassicName}: {field.ClassicName} missing ({code})", 400,
                    ClassicErrors.Error(400, code, $"{field.ClassicName} is required"));
            })
            .Append(Error("unknown_model", "Unknown model (gateway code)", 400,
                ClassicErrors.Error(400, ClassicErrorCodes.GatewayBadRequest, $"Unknown model; supported: {string.Join(", ", ModelCatalog.ClassicNames)}")))
            .Append(Error("model_not_available", "A model no engine on this server serves (gateway code)", 400,
                ClassicErrors.Error(400, ClassicErrorCodes.GatewayBadRequest,
                    "Model midjourney_diffusion is not available on this server: no engine on this server can imagine. It needs an engine with the 'Imagine' capability")))
            .ToList(),
        401 => [Error("unauthorized", "Invalid or revoked key", 401, ClassicErrors.Instance.Unauthorized("Invalid or revoked API key"))],
        402 => [Error("insufficient_quota", "Balance below the price", 402, ClassicErrors.Error(402, ClassicErrorCodes.GatewayInsufficientQuota,
            "Insufficient quota. The balance is 2.5 credits; this task needs 8.1."))],
        403 => [Error("model_access_denied", "The key may not use this model", 403, ClassicErrors.Error(403, ClassicErrorCodes.GatewayForbidden,
            $"Token does not have access to model: {ModelCatalog.InpaintClassic}"))],
        404 => [
            Error("task_not_found", "Unknown task", 404, ClassicErrors.Error(404, ClassicErrorCodes.GatewayNotFound,
                "Task task-classic-1757165031-k3x9q2mw was not found")),
            Error("source_not_found", "Create: unknown jobId (midjourney_inpaint)", 404, ClassicErrors.Error(404,
                ClassicErrorCodes.TaskIdMissing(OperationKind.Inpaint), "Task task-classic-1757164000-a1b2c3d4 was not found")),
        ],
        409 => [Error("source_not_ready", "Create: the source task is not completed (midjourney_inpaint)", 409, ClassicErrors.Error(409,
            ClassicErrorCodes.InvalidImageNumber(OperationKind.Inpaint), "Task task-classic-1757164000-a1b2c3d4 is processing; only a completed task can be a source"))],
        413 => [Error("request_too_large", "Body over the limit", 413, ClassicErrors.Error(413, ClassicErrorCodes.GatewayTooLarge,
            "The request body is 2097152 bytes; the limit is 1048576 bytes"))],
        429 => [Error("rate_limited", "Over the key's rate", 429, ClassicErrors.Error(429, ClassicErrorCodes.GatewayRateLimited,
            "Too many requests, please try again later"))],
        500 => [Error("internal_error", "A fault of the server", 500, ClassicErrors.Error(500, ClassicErrorCodes.GatewayInternal, "Internal server error"))],
        _ => [],
    };

    /// <summary>The task object in each state, rendered by <see cref="ClassicTaskView"/> itself.</summary>
    public static IReadOnlyList<NamedExample> TaskExamples(IServiceProvider services)
    {
        var prices = services.GetRequiredService<PriceTable>();
        return ExampleTasks.All(Dialect.Classic, prices)
            .Select(e => new NamedExample(e.Name, e.Summary, JsonSerializer.SerializeToNode(
                ClassicTaskView.From(e.Task, prices, ExampleTasks.BaseUrl, PublicUrls.FileUrl), ClassicJson.Options)!))
            .ToList();
    }

    /// <summary>One example body per model and one wrapped body; a test posts each of them and expects it to pass validation.</summary>
    public static IReadOnlyList<NamedExample> CreateExamples(IServiceProvider services) =>
    [
        new("uploadpaint_example", "midjourney_uploadpaint: place an image on a canvas and paint the rest", JsonNode.Parse("""
            {"model": "midjourney_uploadpaint", "imgUrl": "https://example.com/photo.jpg",
             "canvas": {"width": 1024, "height": 1024}, "imgPos": {"width": 512, "height": 512, "x": 256, "y": 256},
             "mask": {"areas": [{"width": 100, "height": 100, "points": [10, 10, 10, 100, 100, 100, 100, 10]}]},
             "remixPrompt": "Beautiful mountain scenery background"}
            """)!),
        new("edit_example", "midjourney_edit: re-place an earlier output on a wider canvas", JsonNode.Parse("""
            {"model": "midjourney_edit", "jobId": "task-classic-1757164000-a1b2c3d4", "imageNo": 2,
             "canvas": {"width": 1536, "height": 1024}, "imgPos": {"width": 1024, "height": 1024, "x": 256, "y": 0},
             "remixPrompt": "the same harbour at dusk, wider", "callback": "https://your-domain.com/webhooks/image-task-completed"}
            """)!),
        new("inpaint_example", "midjourney_inpaint: repaint a region of an earlier output", JsonNode.Parse("""
            {"model": "midjourney_inpaint", "jobId": "task-classic-1757164000-a1b2c3d4", "imageNo": 0,
             "mask": {"areas": [{"width": 1024, "height": 1024, "points": [100, 100, 100, 600, 600, 600, 600, 100]}]},
             "remixPrompt": "a red kite in the sky"}
            """)!),
        new("remix_example", "midjourney_remix: the same picture under a new prompt", JsonNode.Parse("""
            {"model": "midjourney_remix", "jobId": "task-classic-1757164000-a1b2c3d4", "imageNo": 1,
             "remixPrompt": "in the style of a woodcut", "mode": 1}
            """)!),
        new("wrapped_example", "The wrapped envelope (input[0].params)", JsonNode.Parse("""
            {"model": "midjourney_remix",
             "input": [{"params": {"jobId": "task-classic-1757164000-a1b2c3d4", "imageNo": 3, "remixPrompt": "as a watercolour"}}]}
            """)!),
        .. ModelCatalog.All.Where(m => !CatalogSchemas.TypedModels(typeof(ClassicCreateRequest), classic: true).Contains(m.Kind))
            .Select(m => new NamedExample($"{m.ClassicName}_example", $"{m.ClassicName}: {m.Summary}",
                CatalogSchemas.Example(m, classic: true, "task-classic-1757164000-a1b2c3d4"))),
    ];

    public string? SchemaName(Type type) => null;

    public void Complete(OpenApiDocument document) =>
        CatalogSchemas.AddModels(document, nameof(ClassicCreateRequest), classic: true, CatalogSchemas.TypedModels(typeof(ClassicCreateRequest), classic: true));

    public void Describe(Type type, OpenApiSchema schema, OpenApiDocument? document)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (type == typeof(ClassicTaskView))
        {
            Property(schema, "status").Enum = Values(System.Enum.GetValues<TaskState>().Select(ClassicTaskView.StatusOf).Distinct());
            Property(schema, "model").Enum = Values(ModelCatalog.ClassicNames);
            // A custom converter writes progress (always with a decimal point), so the type is stated here.
            var progress = Property(schema, "progress");
            progress.Type = JsonSchemaType.Number;
            progress.Minimum = "0";
            progress.Maximum = "1";
            progress.Description = "Progress from 0.0 to 1.0";
            schema.Required = new HashSet<string>(["id", "model", "status", "progress", "created_at", "metadata"]);
        }
        else if (type == typeof(ClassicWrappedRequest))
        {
            Property(schema, "model").Enum = Values(ModelCatalog.ClassicNames);
        }
        else if (type == typeof(ClassicWrappedInput) && document is not null)
        {
            // The wrapped shape is generated inline (it is a second body, not an endpoint's own); its params are the flat
            // body, so they point at that component rather than repeat it.
            schema.Properties!["params"] = new OpenApiSchemaReference(nameof(ClassicCreateRequest), document);
        }
        else if (type == typeof(ClassicError))
        {
            Property(schema, "code").Description = "The model's or the gateway's code (see the 400 response); 9 digits when zero-padded";
        }
    }

    /// <summary>Each model's code table, written from its catalog entry (so the document cannot drift from the server).</summary>
    private static string CodeTable()
    {
        var table = new StringBuilder();
        foreach (var model in ModelCatalog.All)
        {
            table.Append(CultureInfo.InvariantCulture, $"- `{model.ClassicName}`: ")
                .AppendJoin("; ", model.ClassicCodes.Rows.Select(r =>
                    $"{model.ClassicCodes.Code(r.Number)} {r.Description}{(r.Field is null ? " (a failed task's error, never a refusal)" : "")}"))
                .Append('\n');
        }
        return table.ToString();
    }

    private static NamedExample Error(string name, string summary, int status, IResult result) =>
        new(name, summary, ExampleTasks.BodyOf(result, status, ClassicJson.Options));

    private static List<JsonNode> Values(IEnumerable<string> values) => values.Select(v => (JsonNode)JsonValue.Create(v)).ToList();

    private static OpenApiSchema Property(OpenApiSchema schema, string name) =>
        schema.Properties?.TryGetValue(name, out var found) == true && found is OpenApiSchema property
            ? property
            : throw new InvalidOperationException($"the classic schema has no property {name}");
}
