using System.Text.Json;
using System.Text.Json.Nodes;
using Easel.Core.Engines;
using Easel.Core.Operations;
using Easel.Core.Outbound;
using Easel.Core.Tasks;
using Easel.Imaging;

namespace Easel.Engines.Upstream.MidjourneyProxy;

/// <summary>
/// trueai-org's midjourney-proxy as an upstream (UPSTREAMS.md section 1.1, "TI"): imagine as POST /mj/submit/imagine,
/// the secondary operations as the source task's buttons pressed with POST /mj/submit/action (<see cref="MjButtons"/>),
/// Vary Region and remix completed with POST /mj/submit/modal, GET /mj/task/{id}/fetch polled, POST /mj/task/{id}/cancel.
/// The secret goes in <c>mj-api-secret</c>; <c>notifyHook</c> is the task's wake-up URL (the proxy posts the whole task
/// there, unsigned, and Easel only polls on it); <c>state</c> is the submission key.
/// A job may take several requests, each recorded before it is sent (<see cref="IUpstreamSteps"/>, <see cref="MjJobId"/>):
/// a button on the upscale of a grid image presses U n first, then the button on its result; Vary Region's button
/// makes a MODAL task (code 21) whose id is recorded before the modal is sent, and the modal is sent only while the
/// proxy still shows that task MODAL, so a resume never sends it twice. A resume that finds a button's press under way
/// (the proxy cannot be asked whether it was made) fails the task as unknown and refunded rather than press it again.
/// </summary>
public sealed class MidjourneyProxyProtocol(UpstreamHttp http, MidjourneyProxySettings settings) : IUpstreamProtocol, IUpstreamSteps
{
    public const string Type = "midjourney-proxy";

    /// <summary>Imagine and the operations Midjourney's buttons do; upload-paint, edit, retexture, enhance and background removal have none.</summary>
    public static IReadOnlySet<EngineCapability> Capabilities { get; } = new HashSet<EngineCapability>
    {
        EngineCapability.Imagine, EngineCapability.Upscale, EngineCapability.CreativeUpscale, EngineCapability.Variation,
        EngineCapability.Remix, EngineCapability.Inpaint, EngineCapability.Outpaint, EngineCapability.Pan,
    };

    /// <summary>
    /// TI's list-by-condition reads only <c>ids</c> (TaskController.ListByCondition), never <c>state</c>: a submission
    /// whose answer was lost cannot be found again, so it is not sent twice; the task fails as unknown and is refunded.
    /// </summary>
    public bool ResubmitsIdempotently => false;

    /// <summary>Vary Region's mask goes as a PNG in the modal, painted at the size of the source image; nothing else sends bytes.</summary>
    public bool SendsImageBytes(OperationKind kind) => kind == OperationKind.Inpaint;

    public async Task<SubmitAnswer> SubmitAsync(UpstreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var operation = request.Task.Operation;
        if (operation is Imagine imagine)
        {
            var body = MjCalls.Base(request);
            body["prompt"] = imagine.Prompt;
            body["botType"] = settings.BotType;
            return await PostAsync("mj/submit/imagine", body, expectModal: false, cancellationToken);
        }
        if (request.SourceJobId is not { } sourceJob || !MjJobId.IsTaskId(MjJobId.Parse(sourceJob).TaskId))
        {
            return new SubmitAnswer.Refused(FailureKind.ResourceNotFound, "the source task has no job on this proxy to press a button of");
        }
        return await PressAsync(request, MjJobId.Parse(sourceJob).TaskId, request.SourceImageNumber, cancellationToken);
    }

    public async Task<SubmitAnswer> ContinueAsync(UpstreamRequest request, string stepId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var step = MjJobId.Parse(stepId);
        return step.Stage switch
        {
            // The upscale of image n is done: the operation's own button, on it (its one image).
            MjStage.Pressing => await PressAsync(request, step.TaskId, 0, cancellationToken),
            MjStage.Modal => await ModalAsync(request, step.TaskId, cancellationToken),
            _ => throw new InvalidOperationException($"job {stepId} has no further step"),
        };
    }

    public async Task<PollAnswer> PollAsync(string upstreamId, CancellationToken cancellationToken)
    {
        var job = MjJobId.Parse(upstreamId);
        if (job.Stage == MjStage.Pressing)
        {
            // Only a crash (or a press that got no answer) leaves this recorded: the proxy cannot say whether it was made.
            return new PollAnswer.Failed(FailureKind.ServiceError,
                $"Easel stopped while pressing a button on the proxy's task {job.TaskId}, and the proxy cannot be asked whether it took it, "
                + "so it was not pressed again and the result is unknown", null);
        }
        var (task, early) = await FetchAsync(job.TaskId, cancellationToken);
        if (early is not null)
        {
            return early;
        }
        using var _ = task;
        var root = task!.RootElement;
        if (job.Stage == MjStage.Modal && root.String("status") == "MODAL")
        {
            return new PollAnswer.NextStep(upstreamId);
        }
        var answer = MjAnswers.Poll(root, firstHalf: job.Stage == MjStage.UpscaleFirst);
        if (job.Stage == MjStage.UpscaleFirst && answer is PollAnswer.Succeeded)
        {
            return new PollAnswer.NextStep(new MjJobId(job.TaskId, MjStage.Pressing).ToString());
        }
        return answer;
    }

    /// <summary>TI's cancel (fails the task "取消任务"); answered 200 with an empty body.</summary>
    public async Task<bool> CancelAsync(string upstreamId, CancellationToken cancellationToken)
    {
        var id = MjJobId.Parse(upstreamId).TaskId;
        var response = await http.SendAsync(HttpMethod.Post, $"mj/task/{Uri.EscapeDataString(id)}/cancel", "{}", cancellationToken);
        return response.IsSuccess;
    }

    /// <summary>Reads the source's buttons and presses the one the operation needs (or U n first, on a grid image).</summary>
    private async Task<SubmitAnswer> PressAsync(UpstreamRequest request, string sourceId, int imageNumber, CancellationToken cancellationToken)
    {
        var operation = request.Task.Operation;
        var (source, early) = await FetchAsync(sourceId, cancellationToken);
        switch (early)
        {
            case PollAnswer.Lost:
                return new SubmitAnswer.Refused(FailureKind.ResourceNotFound, $"the proxy no longer knows the source task {sourceId}");
            case PollAnswer.Unreachable unreachable:
                return new SubmitAnswer.Unavailable($"reading the source task {sourceId} failed: {unreachable.Reason}");
        }
        using var _ = source;
        var plan = MjButtons.Plan(operation, MjAnswers.Buttons(source!.RootElement), imageNumber);
        if (plan is MjPlan.Refuse refuse)
        {
            return new SubmitAnswer.Refused(FailureKind.InvalidParameters, refuse.Message);
        }
        var (customId, remix, strong, then) = plan switch
        {
            MjPlan.Press p => (p.CustomId, p.Remix, p.Strong, false),
            MjPlan.UpscaleFirst u => (u.UpscaleCustomId, false, (bool?)null, true),
            _ => throw new InvalidOperationException("unknown plan"),
        };
        var body = MjCalls.Base(request);
        body["taskId"] = sourceId;
        body["customId"] = customId;
        if (remix)
        {
            body["enableRemix"] = true;
        }
        if (strong is { } s)
        {
            body["strong"] = s;
        }
        var answer = await PostAsync("mj/submit/action", body, expectModal: !then && MjButtons.OpensModal(operation), cancellationToken);
        return then && answer is SubmitAnswer.Accepted accepted
            ? accepted with { UpstreamId = new MjJobId(MjJobId.Parse(accepted.UpstreamId).TaskId, MjStage.UpscaleFirst).ToString() }
            : answer;
    }

    /// <summary>The modal of a MODAL task: the prompt (the operation's, else the task's own) and, for Vary Region, the mask.</summary>
    private async Task<SubmitAnswer> ModalAsync(UpstreamRequest request, string modalId, CancellationToken cancellationToken)
    {
        var operation = request.Task.Operation;
        var prompt = operation.Prompt;
        if (string.IsNullOrWhiteSpace(prompt))
        {
            // TI refuses a modal without a prompt (code 4 "参数错误"); Vary Region without a new one keeps the picture's own.
            var (modal, early) = await FetchAsync(modalId, cancellationToken);
            if (early is not null)
            {
                return early is PollAnswer.Lost ? new SubmitAnswer.Refused(FailureKind.ResourceNotFound, $"the proxy no longer knows task {modalId}")
                    : new SubmitAnswer.Unavailable($"reading task {modalId} failed");
            }
            using (modal)
            {
                var root = modal!.RootElement;
                prompt = root.String("prompt") is { Length: > 0 } p ? p : root.Object("properties")?.String("finalPrompt") ?? root.String("promptEn");
            }
            if (string.IsNullOrWhiteSpace(prompt))
            {
                return new SubmitAnswer.Refused(FailureKind.InvalidParameters, "the proxy needs a prompt for this operation and the source has none: give one");
            }
        }
        var body = new JsonObject { ["taskId"] = modalId, ["prompt"] = prompt };
        if (operation is Inpaint inpaint)
        {
            try
            {
                body["maskBase64"] = "data:image/png;base64," + Convert.ToBase64String(Mask(inpaint, request));
            }
            catch (MjRefusal e)
            {
                return new SubmitAnswer.Refused(FailureKind.ImageProcessing, e.Message);
            }
            catch (ImageDecodeException e)
            {
                return new SubmitAnswer.Refused(FailureKind.ImageProcessing, $"the mask image does not decode: {e.Message}");
            }
        }
        var answer = await PostAsync("mj/submit/modal", body, expectModal: false, cancellationToken);
        // The modal goes on under the MODAL task's own id.
        return answer is SubmitAnswer.Accepted ? new SubmitAnswer.Accepted(modalId, null, null) : answer;
    }

    /// <summary>
    /// Vary Region's mask: a PNG of the source image's size, opaque white where Midjourney repaints and opaque black
    /// elsewhere. Which colour repaints is unconfirmed (UPSTREAMS.md 1.1: TI forwards the mask to Discord's inpaint
    /// iframe untouched); white-repaints is Easel's own mask form and that of every other engine that takes a mask image.
    /// </summary>
    private static byte[] Mask(Inpaint inpaint, UpstreamRequest request)
    {
        var source = request.SourceBytes ?? throw new InvalidOperationException("vary region reached the midjourney-proxy engine without its source image");
        ImageInfo info;
        try
        {
            info = ImageCodec.Identify(source);
        }
        catch (ImageDecodeException e)
        {
            throw new MjRefusal($"the source image does not decode: {e.Message}");
        }
        var repaint = Local.MaskPainter.Paint(inpaint.Mask, request.MaskBytes, info.Width, info.Height);
        return ImageCodec.EncodePng(Canvas.RepaintCanvas.White(repaint));
    }

    private Task<SubmitAnswer> PostAsync(string path, JsonObject body, bool expectModal, CancellationToken cancellationToken) =>
        MjCalls.PostAsync(http, path, body, expectModal, cancellationToken);

    private Task<(JsonDocument? Task, PollAnswer? Answer)> FetchAsync(string id, CancellationToken cancellationToken) => MjCalls.FetchAsync(http, id, cancellationToken);
}

/// <summary>A secondary operation the proxy's source task cannot serve (no such button, a bad image number): refused as invalid_parameters.</summary>
internal sealed class MjRefusal(string message) : Exception(message);
