using System.Text.Json;
using System.Text.Json.Nodes;
using Easel.Core.Engines.Upstream;
using Easel.Core.Models;
using Easel.Core.Operations;
using Easel.Core.Outbound;
using Easel.Core.Tasks;

namespace Easel.Engines.Upstream.Classic;

/// <summary>
/// The classic dialect as an upstream (Vtrix / SeaArt's midjourney_* models, or another Easel): POST
/// /model/v1/generation with the model's classic name and its camelCase fields (flat, or wrapped in input[0].params
/// with Options:Envelope = input, as Vtrix's CLI sends them), GET /model/v1/generation/task/{id}, and Easel's cancel.
/// The wake-up URL goes in `callback` (the dialect takes http and https). Idempotency-Key carries the submission key,
/// which Easel honours; a vendor that ignores it makes a resubmission after a crash a possible duplicate, which is why
/// Options:ResubmitAfterCrash (default true, for Easel) can be turned off. Upstream wire: ../shared/UPSTREAMS.md section 6.
/// </summary>
public sealed class ClassicProtocol(UpstreamHttp http, bool wrapInInput, bool resubmitsIdempotently) : IUpstreamProtocol
{
    public const string Type = "classic";

    private const string CreatePath = "model/v1/generation";

    /// <summary>The gateway's own range (API.md section 4): refusals that are not about the request's fields.</summary>
    private const int GatewayPrefix = 4_000;

    public bool ResubmitsIdempotently => resubmitsIdempotently;

    public bool SendsImageBytes(OperationKind kind) => false;

    public async Task<SubmitAnswer> SubmitAsync(UpstreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = Body(request, wrapInInput);
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
        // An HTTP 200 whose body says failed is a refusal of the request (the dialect's bodies carry the outcome).
        if (response.IsSuccess && json?.RootElement.String("status") != "failed")
        {
            var id = json?.RootElement.String("id");
            return JsonFields.IsJobId(id)
                ? new SubmitAnswer.Accepted(id!, null, CostOf(json!.RootElement))
                : new SubmitAnswer.Refused(FailureKind.ServiceError, $"the upstream's answer named no task id ({UpstreamHttp.Excerpt(response)})");
        }
        var error = json?.RootElement.Object("error");
        var code = error?.Number("code") is { } c ? (int)c : 0;
        var message = UpstreamHttp.Trim(error?.String("error_message") ?? UpstreamHttp.Excerpt(response));
        return (response.Status, code / 1000) switch
        {
            (401 or 402 or 403 or 408 or 429, _) or (>= 500, _) => new SubmitAnswer.Unavailable($"HTTP {response.Status} {code}: {message}"),
            // 004000400 is the gateway's: a model it does not serve, or a body it could not read; neither is the client's doing.
            (400, GatewayPrefix) => new SubmitAnswer.Unavailable($"HTTP 400 {code}: {message}"),
            (404, _) => new SubmitAnswer.Refused(FailureKind.ResourceNotFound, $"the upstream does not know the source task: {message}"),
            (200 or 400 or 409 or 413 or 422, _) => new SubmitAnswer.Refused(FailureKind.InvalidParameters, $"the upstream refused the parameters ({code}): {message}"),
            _ => new SubmitAnswer.Unavailable($"HTTP {response.Status} {code}: {message}"),
        };
    }

    public async Task<PollAnswer> PollAsync(string upstreamId, CancellationToken cancellationToken)
    {
        var (json, early) = await http.PollAsync("model/v1/generation/task/" + Uri.EscapeDataString(upstreamId), upstreamId, cancellationToken);
        if (early is not null)
        {
            return early;
        }
        using var _ = json;
        var root = json!.RootElement;
        var cost = CostOf(root);
        switch (root.String("status"))
        {
            case "pending" or "in_progress":
                // The dialect's progress is 0.0-1.0.
                var progress = root.Number("progress") is { } p ? (int)Math.Clamp(p * 100, 0, 100) : 0;
                return new PollAnswer.Running(progress, null);
            case "completed":
                var urls = new List<Uri?>();
                foreach (var output in root.Array("output")?.EnumerateArray() ?? Enumerable.Empty<JsonElement>())
                {
                    foreach (var content in output.Array("content")?.EnumerateArray() ?? Enumerable.Empty<JsonElement>())
                    {
                        if (content.String("type") is null or "image")
                        {
                            urls.Add(JsonFields.ResultUrl(content.String("url")));
                        }
                    }
                }
                return urls.Count == 0 || urls.Any(u => u is null)
                    ? new PollAnswer.Failed(FailureKind.ServiceError, "the upstream completed the task without valid result URLs", cost)
                    : new PollAnswer.Succeeded(UpstreamImage.AtAll(urls!), cost);
            case "failed":
                var error = root.Object("error");
                var code = error?.Number("code") is { } c ? (int)c : 0;
                // The dialect has two failure codes per model: 098 generation failed, 099 service unavailable.
                var kind = (code % 1000) switch { 98 => FailureKind.GenerationFailed, 99 => FailureKind.ServiceUnavailable, _ => FailureKind.ServiceError };
                return new PollAnswer.Failed(kind, $"the upstream engine failed the task ({code:D9}): {UpstreamHttp.Trim(error?.String("error_message") ?? "no reason given")}", cost);
            case "cancelled":
                return new PollAnswer.Failed(FailureKind.ServiceError, "the upstream cancelled the task", cost);
            default:
                return new PollAnswer.Unreachable($"the upstream answered an unknown status ({UpstreamHttp.Trim(root.GetRawText())})");
        }
    }

    public async Task<bool> CancelAsync(string upstreamId, CancellationToken cancellationToken)
    {
        var response = await http.SendAsync(HttpMethod.Post, $"model/v1/generation/task/{Uri.EscapeDataString(upstreamId)}/cancel", "{}", cancellationToken);
        return response.IsSuccess;
    }

    /// <summary>The create body in the classic names (each model's own spelling, such as diffusion's `text`).</summary>
    internal static JsonObject Body(UpstreamRequest request, bool wrapInInput)
    {
        var operation = request.Task.Operation;
        var entry = ModelCatalog.Of(operation.Kind);
        var parameters = new JsonObject();
        void Set(RequestField field, JsonNode? value) => parameters[entry.FieldOf(field)?.ClassicNameOverride ?? FieldNames.Classic(field)] = value;

        if (operation.Source is not null)
        {
            Set(RequestField.TaskId, request.SourceJobId);
            Set(RequestField.ImageNumber, request.SourceImageNumber);
        }
        if (request.ImageUrl is { } image)
        {
            Set(RequestField.ImageUrl, image.ToString());
        }
        if (operation.Prompt is { } prompt)
        {
            Set(RequestField.Prompt, prompt);
        }
        switch (operation)
        {
            case UploadPaint p:
                Set(RequestField.Canvas, WireValues.Canvas(p.Canvas));
                Set(RequestField.Position, WireValues.Position(p.Placement));
                Set(RequestField.Mask, WireValues.Mask(p.Mask, request.MaskUrl));
                break;
            case Edit e:
                Set(RequestField.Canvas, WireValues.Canvas(e.Canvas));
                Set(RequestField.Position, WireValues.Position(e.Placement));
                if (e.Mask is { } mask)
                {
                    Set(RequestField.Mask, WireValues.Mask(mask, request.MaskUrl));
                }
                break;
            case Inpaint i:
                Set(RequestField.Mask, WireValues.Mask(i.Mask, request.MaskUrl));
                break;
            case Remix r:
                Set(RequestField.Mode, r.Mode == RemixMode.Subtle ? 1 : 0);
                break;
            case Variation v:
                Set(RequestField.Type, v.Type == VariationType.Subtle ? 0 : 1);
                break;
            case Upscale u:
                Set(RequestField.Type, u.Type switch { UpscaleType.Creative => 1, UpscaleType.TwoTimes => 2, UpscaleType.FourTimes => 3, _ => 0 });
                break;
            case Outpaint o:
                Set(RequestField.Scale, o.Scale);
                break;
            case Pan p:
                Set(RequestField.Direction, (int)p.Direction);
                Set(RequestField.Scale, p.Scale);
                break;
        }
        // Easel's extensions, sent only when they say something: a vendor's server sees the seeds' fields alone.
        if (operation.Speed != Speed.Fast && entry.Has(RequestField.Speed))
        {
            Set(RequestField.Speed, WireValues.Speed(operation.Speed));
        }
        if (operation.Output != OutputFormat.Png && entry.Has(RequestField.OutputFormat))
        {
            Set(RequestField.OutputFormat, WireValues.Format(operation.Output));
        }
        if (request.WakeUpUrl is { } wake)
        {
            Set(RequestField.Callback, wake.ToString());
        }
        return wrapInInput
            ? new JsonObject { ["model"] = entry.ClassicName, ["input"] = new JsonArray(new JsonObject { ["params"] = parameters }) }
            : new JsonObject(parameters.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())).Prepend(KeyValuePair.Create("model", (JsonNode?)entry.ClassicName)));
    }

    private static UpstreamCost? CostOf(JsonElement root) =>
        root.Object("usage")?.Number("cost") is { } usd and >= 0 ? new UpstreamCost(usd, "usd") : null;
}
