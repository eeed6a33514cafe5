using System.Text.Json;
using System.Text.Json.Nodes;
using Easel.Core.Engines.Upstream;
using Easel.Core.Models;
using Easel.Core.Operations;
using Easel.Core.Outbound;
using Easel.Core.Tasks;

namespace Easel.Engines.Upstream.Unified;

/// <summary>
/// The unified dialect as an upstream (EvoLink's Midjourney family, or another Easel): POST /v1/images/generations with
/// the model's unified name, GET /v1/tasks/{id} until completed or failed, POST /v1/tasks/{id}/cancel where the upstream
/// has it (Easel does; EvoLink documents none). Idempotency-Key carries the submission key, so a submission cut short
/// by a crash can be sent again and find the first job (Easel keeps keys 24 h). Secondary operations name the source by
/// the upstream's own task id (routing sends them to the engine that made the source). Upstream wire:
/// ../shared/UPSTREAMS.md section 5.
/// </summary>
public sealed class UnifiedProtocol(UpstreamHttp http) : IUpstreamProtocol
{
    public const string Type = "unified";

    private const string CreatePath = "v1/images/generations";

    public bool ResubmitsIdempotently => true;

    public bool SendsImageBytes(OperationKind kind) => false;

    public async Task<SubmitAnswer> SubmitAsync(UpstreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Body(request) is not { } body)
        {
            return new SubmitAnswer.Refused(FailureKind.InvalidParameters, "the unified dialect has no 4x upscale; use an engine that serves it");
        }
        OutboundResponse response;
        try
        {
            response = await http.SendAsync(HttpMethod.Post, CreatePath, body.ToJsonString(), cancellationToken,
                new Dictionary<string, string> { ["Idempotency-Key"] = request.SubmissionKey });
        }
        catch (OutboundException e)
        {
            return new SubmitAnswer.Unavailable(e.Message);
        }
        using var json = UpstreamHttp.ObjectOf(response);
        if (response.IsSuccess)
        {
            var id = json?.RootElement.String("id");
            if (!JsonFields.IsJobId(id))
            {
                // Accepted or not, this answer names no job: the task cannot be followed, and sending it elsewhere could double it.
                return new SubmitAnswer.Refused(FailureKind.ServiceError, $"the upstream's answer named no task id ({UpstreamHttp.Excerpt(response)})");
            }
            var root = json!.RootElement;
            var estimate = root.Object("task_info")?.Number("estimated_time") is { } seconds and > 0 and < 86400 ? TimeSpan.FromSeconds((double)seconds) : (TimeSpan?)null;
            var cost = root.Object("usage")?.Number("credits_reserved") is { } credits and >= 0 ? new UpstreamCost(credits, "credits") : null;
            return new SubmitAnswer.Accepted(id!, estimate, cost);
        }
        return Refusal(response, json);
    }

    public async Task<PollAnswer> PollAsync(string upstreamId, CancellationToken cancellationToken)
    {
        var (json, early) = await http.PollAsync("v1/tasks/" + Uri.EscapeDataString(upstreamId), upstreamId, cancellationToken);
        if (early is not null)
        {
            return early;
        }
        using var _ = json;
        var root = json!.RootElement;
        switch (root.String("status"))
        {
            case "pending" or "processing":
                var progress = root.Number("progress") is { } p ? (int)Math.Clamp(p, 0, 100) : 0;
                var remaining = root.Object("task_info")?.Number("estimated_time") is { } s and > 0 and < 86400 ? TimeSpan.FromSeconds((double)s) : (TimeSpan?)null;
                return new PollAnswer.Running(progress, remaining);
            case "completed":
                var urls = root.Array("results")?.EnumerateArray().Select(r => r.ValueKind == JsonValueKind.String ? JsonFields.ResultUrl(r.GetString()) : null).ToList();
                if (urls is null || urls.Count == 0 || urls.Any(u => u is null))
                {
                    return new PollAnswer.Failed(FailureKind.ServiceError, "the upstream completed the task without valid result URLs", null);
                }
                return new PollAnswer.Succeeded(UpstreamImage.AtAll(urls!), null);
            case "failed":
                var error = root.Object("error");
                var code = error?.String("code");
                var message = error?.String("message") ?? "no reason given";
                return new PollAnswer.Failed(KindOf(code), $"the upstream engine failed the task ({code ?? "no code"}): {UpstreamHttp.Trim(message)}", null);
            default:
                return new PollAnswer.Unreachable($"the upstream answered an unknown status ({UpstreamHttp.Trim(root.GetRawText())})");
        }
    }

    public async Task<bool> CancelAsync(string upstreamId, CancellationToken cancellationToken)
    {
        var response = await http.SendAsync(HttpMethod.Post, $"v1/tasks/{Uri.EscapeDataString(upstreamId)}/cancel", "{}", cancellationToken);
        // EvoLink documents no cancel: its 404 (or 405) says the protocol cannot, not that the cancel failed.
        return response.IsSuccess;
    }

    /// <summary>The create body: the model's unified name and its fields at their unified places; null when the dialect cannot say it.</summary>
    internal static JsonObject? Body(UpstreamRequest request)
    {
        var operation = request.Task.Operation;
        var entry = ModelCatalog.Of(operation.Kind);
        var body = new JsonObject { ["model"] = entry.UnifiedName };
        if (operation.Prompt is { } prompt)
        {
            body["prompt"] = prompt;
        }
        if (request.ImageUrl is { } image)
        {
            body["image_urls"] = new JsonArray(image.ToString());
        }
        var parameters = new JsonObject();
        if (operation.Source is not null)
        {
            parameters["task_id"] = request.SourceJobId;
            parameters["image_number"] = request.SourceImageNumber;
        }
        switch (operation)
        {
            case UploadPaint p:
                parameters["mask"] = WireValues.Mask(p.Mask, request.MaskUrl);
                parameters["canvas"] = WireValues.Canvas(p.Canvas);
                parameters["img_pos"] = WireValues.Position(p.Placement);
                break;
            case Edit e:
                parameters["canvas"] = WireValues.Canvas(e.Canvas);
                parameters["img_pos"] = WireValues.Position(e.Placement);
                if (e.Mask is { } mask)
                {
                    parameters["mask"] = WireValues.Mask(mask, request.MaskUrl);
                }
                break;
            case Inpaint i:
                parameters["mask"] = WireValues.Mask(i.Mask, request.MaskUrl);
                break;
            case Remix r:
                parameters["mode"] = r.Mode == RemixMode.Subtle ? "subtle" : "strong";
                break;
            case Variation v:
                parameters["type"] = v.Type == VariationType.Subtle ? "subtle" : "strong";
                break;
            case Upscale u when u.Type == UpscaleType.FourTimes:
                return null;
            case Upscale u:
                parameters["type"] = u.Type == UpscaleType.Creative ? "creative" : "standard";
                break;
            case Outpaint o:
                parameters["scale"] = o.Scale;
                break;
            case Pan p:
                parameters["direction"] = WireValues.Direction(p.Direction);
                parameters["scale"] = p.Scale;
                break;
        }
        if (entry.Has(RequestField.Speed))
        {
            parameters["speed"] = WireValues.Speed(operation.Speed);
        }
        // Easel's extension: sent only when it says something, so an upstream that does not know it sees the seed's shape.
        if (operation.Output != OutputFormat.Png && entry.Has(RequestField.OutputFormat))
        {
            parameters["output_format"] = WireValues.Format(operation.Output);
        }
        if (parameters.Count > 0)
        {
            body["model_params"] = parameters;
        }
        // The dialect takes HTTPS callbacks only: over plain HTTP the job is polled, never woken.
        if (request.WakeUpUrl is { Scheme: "https" } wake)
        {
            body["callback_url"] = wake.ToString();
        }
        return body;
    }

    // A refused create (API.md section 3's table): what is the client's fault fails the task; what is ours or the
    // upstream's (credentials, credits, access, rate, a model it lacks, its own faults) lets the next engine try.
    private static SubmitAnswer Refusal(OutboundResponse response, JsonDocument? json)
    {
        var error = json?.RootElement.Object("error");
        var code = error?.String("code");
        var message = UpstreamHttp.Trim(error?.String("message") ?? UpstreamHttp.Excerpt(response));
        return (response.Status, code) switch
        {
            (_, "content_policy_violation") => new SubmitAnswer.Refused(FailureKind.ContentPolicyBeforeGeneration, $"the upstream's moderation refused the request: {message}"),
            (400, "model_not_available") or (401 or 402 or 403 or 408 or 429, _) or (>= 500, _) =>
                new SubmitAnswer.Unavailable($"HTTP {response.Status} {code}: {message}"),
            (404, _) => new SubmitAnswer.Refused(FailureKind.ResourceNotFound, $"the upstream does not know the source task: {message}"),
            (400 or 409 or 413 or 422, _) => new SubmitAnswer.Refused(FailureKind.InvalidParameters, $"the upstream refused the parameters: {message}"),
            _ => new SubmitAnswer.Unavailable($"HTTP {response.Status}: {message}"),
        };
    }

    private static FailureKind KindOf(string? code) => code switch
    {
        "content_policy_violation" => FailureKind.ContentPolicy,
        "invalid_parameters" => FailureKind.InvalidParameters,
        "image_processing_error" => FailureKind.ImageProcessing,
        "image_dimension_mismatch" => FailureKind.ImageDimensionMismatch,
        "generation_failed_no_content" => FailureKind.GenerationFailed,
        "generation_timeout" => FailureKind.Timeout,
        "resource_not_found" => FailureKind.ResourceNotFound,
        "service_unavailable" => FailureKind.ServiceUnavailable,
        _ => FailureKind.ServiceError,
    };
}
