using System.Text.Json.Nodes;
using Easel.Core.Engines;
using Easel.Core.Engines.Upstream;
using Easel.Core.Models;
using Easel.Core.Operations;
using Easel.Core.Outbound;
using Easel.Core.Tasks;
using Easel.Engines.Local;
using Easel.Engines.Upstream.SdWebui;
using Easel.Imaging;

namespace Easel.Engines.Upstream.Cog;

/// <summary>
/// Replicate's cog prediction API as an upstream (any model packaged with cog, run as a container; wire facts in
/// docs/UPSTREAM-COG.md): <c>PUT /predictions/{submission key}</c> with <c>Prefer: respond-async</c>, the model's inputs
/// named by Options:Inputs, the webhook to the task's wake-up URL with <c>webhook_events_filter ["completed"]</c>, and
/// <c>POST /predictions/{id}/cancel</c>.
/// cog cannot be asked about a prediction (no GET; a finished one is forgotten, and a PUT with its id would run it
/// again), so its terminal webhook is the result: the engine delivers by webhook (<see cref="IDeliversByWebhook"/>),
/// and <see cref="PollAsync"/> is never what the poller asks. The PUT is idempotent only while the prediction runs,
/// which is exactly the window in which a resume finds no id recorded; once the id is recorded, a resume only waits.
/// </summary>
public sealed class CogProtocol(UpstreamHttp http, CogSettings settings) : IUpstreamProtocol, IDeliversByWebhook
{
    public const string Type = "cog";

    /// <summary>The catalog's most images in one task: what one delivery may carry.</summary>
    private static readonly int MostImages = ModelCatalog.All.Max(m => m.ImageCount);

    /// <summary>While the prediction runs, the same id answers with it; a resume with no id recorded sends it again under the same key.</summary>
    public bool ResubmitsIdempotently => true;

    // Inline images need their bytes; so does a mask, which is painted at the source image's size.
    public bool SendsImageBytes => settings.SendImagesAs == CogImages.Data || settings.MapsMask;

    /// <summary>Every image as base64 in a data: URL with its prefix, plus a megabyte for the rest of the prediction (logs, metrics).</summary>
    public long MaxDeliveryBytes(int maxImageBytes) => (MostImages * (DataUrl.Base64Length(maxImageBytes) + 64)) + (1024 * 1024);

    public async Task<SubmitAnswer> SubmitAsync(UpstreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        JsonObject input;
        try
        {
            input = Input(request);
        }
        catch (EngineFailureException e)
        {
            return new SubmitAnswer.Refused(e.Kind, e.Message);
        }
        var body = new JsonObject
        {
            ["input"] = input,
            ["webhook"] = (request.WakeUpUrl ?? throw new InvalidOperationException("a cog prediction needs its wake-up URL")).ToString(),
            ["webhook_events_filter"] = new JsonArray("completed"),
        };
        try
        {
            var response = await http.SendAsync(HttpMethod.Put, "predictions/" + Uri.EscapeDataString(request.SubmissionKey), body.ToJsonString(),
                cancellationToken, new Dictionary<string, string> { ["Prefer"] = "respond-async" });
            return CogAnswers.Submitted(response, request.SubmissionKey);
        }
        catch (OutboundException e)
        {
            return new SubmitAnswer.Unavailable(e.Message);
        }
    }

    /// <summary>Not called: the poller reads the recorded delivery of an engine that delivers by webhook. There is nothing to ask cog.</summary>
    public Task<PollAnswer> PollAsync(string upstreamId, CancellationToken cancellationToken) =>
        Task.FromResult<PollAnswer>(new PollAnswer.Running(0, null));

    /// <summary>200 when cog had it (its terminal webhook then says canceled), 404 when it has none (finished, or never made): both end it.</summary>
    public async Task<bool> CancelAsync(string upstreamId, CancellationToken cancellationToken)
    {
        var response = await http.SendAsync(HttpMethod.Post, $"predictions/{Uri.EscapeDataString(upstreamId)}/cancel", "{}", cancellationToken);
        if (!response.IsSuccess && response.Status != 404)
        {
            throw new OutboundException($"POST /predictions/{upstreamId}/cancel answered {UpstreamHttp.Excerpt(response)}");
        }
        return true;
    }

    public DeliveryReading Read(ReadOnlyMemory<byte> body, string submissionKey) => CogAnswers.Delivery(body, submissionKey);

    private JsonObject Input(UpstreamRequest request)
    {
        var operation = request.Task.Operation;
        if (!settings.Inputs.TryGetValue(operation.Kind, out var names))
        {
            throw new InvalidOperationException($"{operation.Kind} reached a cog engine that does not map it");
        }
        var input = settings.Fixed.TryGetValue(operation.Kind, out var constants) ? (JsonObject)constants.DeepClone() : [];
        void Set(string field, Func<JsonNode?> value)
        {
            if (names.TryGetValue(field, out var name))
            {
                input[name] = value();
            }
        }
        Set("prompt", () => operation.Prompt ?? "");
        Set("negative_prompt", () => settings.NegativePrompt);
        // Fixed by the task id (the local engine's seed): a resubmission of the task renders the same images.
        Set("seed", () => TaskIds.SeedOf(request.Task.Id));
        Set("width", () => settings.Width);
        Set("height", () => settings.Height);
        Set("aspect_ratio", () => settings.AspectRatio);
        Set("count", () => ModelCatalog.Of(operation.Kind).ImageCount);
        Set("strength", () => Strength(operation));
        Set("scale", () => operation is Upscale u ? u.Factor : null);
        Set("image", () => Image(request));
        Set("mask", () => Mask(request));
        return input;
    }

    private decimal? Strength(Operation operation) => operation switch
    {
        Remix r => settings.Strength[r.Mode == RemixMode.Strong ? "StrengthRemixStrong" : "StrengthRemixSubtle"],
        Variation v => settings.Strength[v.Type == VariationType.Strong ? "StrengthVariationStrong" : "StrengthVariationSubtle"],
        Inpaint => settings.Strength["StrengthInpaint"],
        _ => null,
    };

    private string? Image(UpstreamRequest request)
    {
        if (settings.SendImagesAs == CogImages.Url)
        {
            return (request.ImageUrl ?? request.SourceUrl)?.ToString()
                ?? throw new InvalidOperationException($"{request.Task.Operation.Kind} reached the cog engine without its image's URL");
        }
        var bytes = request.SourceBytes ?? throw new InvalidOperationException($"{request.Task.Operation.Kind} reached the cog engine without its image");
        var format = ImageCodec.Sniff(bytes);
        var type = ImageFileTypes.Decodable.Contains(format) ? ImageFileTypes.Of(format).ContentType : "application/octet-stream";
        return $"data:{type};base64,{Convert.ToBase64String(bytes)}";
    }

    /// <summary>The mask as an opaque PNG of the source's size, white where the model repaints (the convention of SD inpainting models).</summary>
    private static string? Mask(UpstreamRequest request)
    {
        if (SourceImages.MaskOf(request.Task.Operation) is not { } mask)
        {
            return null;
        }
        var source = LocalEngine.Decode(request.SourceBytes ?? throw new InvalidOperationException("a masked operation reached the cog engine without its image"),
            "source image");
        var painted = MaskPainter.Paint(mask, request.MaskBytes, source.Width, source.Height);
        return "data:image/png;base64," + Convert.ToBase64String(ImageCodec.EncodePng(Img2ImgInputs.White(painted)));
    }
}
