using System.Text.Json.Nodes;
using Easel.Core.Engines;
using Easel.Core.Engines.Upstream;
using Easel.Core.Models;
using Easel.Core.Operations;
using Easel.Core.Outbound;
using Easel.Core.Tasks;
using Easel.Engines.Local;
using Easel.Engines.Upstream.Canvas;
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

    // Inline images need their bytes; so do a canvas or mask painted from the source, and the source's size.
    public bool SendsImageBytes(OperationKind kind) => settings.SendImagesAs == CogImages.Data || settings.NeedsSourcePixels(kind);

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
            // An absent value is left out rather than sent as null: a cog model's optional input keeps its own default.
            if (names.TryGetValue(field, out var name) && value() is { } node)
            {
                input[name] = node;
            }
        }
        // Made once, when the operation takes an image: the canvas and mask are painted from the source's pixels.
        var sent = operation is Imagine ? null : Images(request);
        Set("prompt", () => operation.Prompt ?? "");
        Set("negative_prompt", () => settings.NegativePrompt);
        // Fixed by the task id (the local engine's seed): a resubmission of the task renders the same images.
        Set("seed", () => TaskIds.SeedOf(request.Task.Id));
        Set("width", () => sent is null ? settings.Width : sent.Size().Width);
        Set("height", () => sent is null ? settings.Height : sent.Size().Height);
        Set("aspect_ratio", () => settings.AspectRatio);
        Set("count", () => ModelCatalog.Of(operation.Kind).ImageCount);
        Set("strength", () => Strength(operation));
        Set("scale", () => operation is Upscale u ? u.Factor : null);
        Set("image", () => sent?.Image);
        Set("mask", () => sent?.Mask);
        return input;
    }

    private decimal? Strength(Operation operation) => operation switch
    {
        Remix r => settings.Strength[r.Mode == RemixMode.Strong ? "StrengthRemixStrong" : "StrengthRemixSubtle"],
        Variation v => settings.Strength[v.Type == VariationType.Strong ? "StrengthVariationStrong" : "StrengthVariationSubtle"],
        Inpaint or UploadPaint or Edit => settings.Strength["StrengthInpaint"],
        Outpaint or Pan => settings.Strength["StrengthOutpaint"],
        Enhance => settings.Strength["StrengthEnhance"],
        Retexture => settings.Strength["StrengthRetexture"],
        _ => null,
    };

    /// <summary>The image input, the mask input when the operation repaints an area, and the size of that image.</summary>
    private sealed record SentImages(string Image, string? Mask, Func<(int Width, int Height)> Size);

    /// <summary>
    /// What an image operation sends: the composed canvas of upload-paint, edit, outpaint and pan with its mask, in the
    /// geometry every upstream shares (<see cref="RepaintCanvas"/>), always inline, since that canvas exists nowhere
    /// else; inpaint's source as it is with the mask painted at its size; any other operation's source as it is.
    /// </summary>
    private SentImages Images(UpstreamRequest request)
    {
        var operation = request.Task.Operation;
        if (RepaintCanvas.Masks(operation.Kind))
        {
            var source = request.SourceBytes ?? throw new InvalidOperationException($"{operation.Kind} reached the cog engine without its image");
            var repaint = RepaintCanvas.Of(operation, LocalEngine.Decode(source, "source image"), request.MaskBytes);
            var area = repaint.Area ?? throw new InvalidOperationException($"{operation.Kind} gave no area to repaint");
            var picture = RepaintCanvas.Composes(operation.Kind) ? DataUrlOf(ImageCodec.EncodePng(repaint.Picture)) : Source(request);
            var mask = DataUrlOf(ImageCodec.EncodePng(RepaintCanvas.White(area)));
            return new SentImages(picture, mask, () => (repaint.Picture.Width, repaint.Picture.Height));
        }
        return new SentImages(Source(request), null, () => SizeOf(request));
    }

    /// <summary>The source as the model is sent it: Easel's (or the client's) URL, or its bytes inline.</summary>
    private string Source(UpstreamRequest request)
    {
        if (settings.SendImagesAs == CogImages.Url)
        {
            return (request.ImageUrl ?? request.SourceUrl)?.ToString()
                ?? throw new InvalidOperationException($"{request.Task.Operation.Kind} reached the cog engine without its image's URL");
        }
        return DataUrlOf(request.SourceBytes ?? throw new InvalidOperationException($"{request.Task.Operation.Kind} reached the cog engine without its image"));
    }

    // Read from the header alone: the source is sent as it is, so its pixels are not needed.
    private static (int Width, int Height) SizeOf(UpstreamRequest request)
    {
        var bytes = request.SourceBytes ?? throw new InvalidOperationException("a cog engine that maps width or height was not given the source's bytes");
        try
        {
            var info = ImageCodec.Identify(bytes);
            return (info.Width, info.Height);
        }
        catch (ImageDecodeException e)
        {
            throw new EngineFailureException(FailureKind.ImageProcessing, $"The source image could not be used: {e.Message}", e);
        }
    }

    private static string DataUrlOf(byte[] bytes)
    {
        var format = ImageCodec.Sniff(bytes);
        var type = ImageFileTypes.Decodable.Contains(format) ? ImageFileTypes.Of(format).ContentType : "application/octet-stream";
        return $"data:{type};base64,{Convert.ToBase64String(bytes)}";
    }
}
