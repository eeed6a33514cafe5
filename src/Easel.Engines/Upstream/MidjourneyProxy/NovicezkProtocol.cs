using Easel.Core.Engines;
using Easel.Core.Operations;
using Easel.Core.Tasks;

namespace Easel.Engines.Upstream.MidjourneyProxy;

/// <summary>
/// novicezk's midjourney-proxy as an upstream (UPSTREAMS.md section 1.2, "NZ"; Options:Flavour novicezk): imagine as
/// POST /mj/submit/imagine {prompt, state, notifyHook}, U n and V n of a grid as POST /mj/submit/change {taskId,
/// action UPSCALE|VARIATION, index n}, GET /mj/task/{id}/fetch polled. NZ has no buttons, no modal and no cancel
/// (those are its paid "plus" protocol), so it serves imagine, upscale and variation only, each job one request.
/// NZ changes only a grid (SubmitController.change: parents IMAGINE/VARIATION/REROLL/BLEND in SUCCESS, else code 4
/// "关联任务不允许执行变化"): the upscale or variation of an upscale is refused here, before anything is sent,
/// from the operation that made the source, rather than sent to be refused.
/// </summary>
public sealed class NovicezkProtocol(UpstreamHttp http) : IUpstreamProtocol
{
    /// <summary>What /submit/change can do (REROLL is not used: it ignores the image a remix names, as on TI).</summary>
    public static IReadOnlySet<EngineCapability> Capabilities { get; } = new HashSet<EngineCapability>
    {
        EngineCapability.Imagine, EngineCapability.Upscale, EngineCapability.Variation,
    };

    /// <summary>NZ's list-by-condition reads only <c>ids</c> (TaskController.listByIds), as TI's: a lost answer cannot be found again.</summary>
    public bool ResubmitsIdempotently => false;

    public bool SendsImageBytes(OperationKind kind) => false;

    public async Task<SubmitAnswer> SubmitAsync(UpstreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var operation = request.Task.Operation;
        var body = MjCalls.Base(request);
        if (operation is Imagine imagine)
        {
            body["prompt"] = imagine.Prompt;
            return await MjCalls.PostAsync(http, "mj/submit/imagine", body, expectModal: false, cancellationToken);
        }
        // Midjourney's U n of a grid is the image at its own size and V n its one kind of variation: NZ sends no
        // strength (Discord's V button has none), so subtle and strong both get Midjourney's V n.
        var action = operation switch
        {
            Upscale { Type: UpscaleType.Standard } => "UPSCALE",
            Upscale => null,
            Variation => "VARIATION",
            _ => null,
        };
        if (action is null)
        {
            return new SubmitAnswer.Refused(FailureKind.InvalidParameters, operation is Upscale
                ? "novicezk's proxy upscales only with U1-U4 of a grid (the standard upscale); the 2x and 4x upscalers are buttons it does not have"
                : $"{operation.Kind} is not an operation novicezk's proxy serves (it has U1-U4 and V1-V4 of a grid only)");
        }
        if (request.SourceJobId is not { } sourceJob || MjJobId.Parse(sourceJob) is not { Stage: MjStage.Plain } source || !MjJobId.IsTaskId(source.TaskId))
        {
            return new SubmitAnswer.Refused(FailureKind.ResourceNotFound, "the source task has no job on this proxy to change");
        }
        if (request.SourceOperation is not (null or Imagine or Variation))
        {
            // Only an upscale reaches here (the one other operation this engine makes): one image, not a grid.
            return new SubmitAnswer.Refused(FailureKind.InvalidParameters,
                $"the source is an upscale (one image), and novicezk's proxy changes only the images of a grid (an imagine or variation result): "
                + "upscale or vary the grid image it came from, or use a trueai-flavour proxy, which has an upscale's buttons");
        }
        if (request.SourceImageNumber is < 0 or > 3)
        {
            return new SubmitAnswer.Refused(FailureKind.InvalidParameters, $"a grid has images 0-3, not {request.SourceImageNumber}");
        }
        body["taskId"] = source.TaskId;
        body["action"] = action;
        body["index"] = request.SourceImageNumber + 1;
        return await MjCalls.PostAsync(http, "mj/submit/change", body, expectModal: false, cancellationToken);
    }

    public async Task<PollAnswer> PollAsync(string upstreamId, CancellationToken cancellationToken)
    {
        var job = MjJobId.Parse(upstreamId);
        if (job.Stage != MjStage.Plain)
        {
            // A step id is written only by the trueai flavour: the engine's Flavour was changed under a running job.
            return new PollAnswer.Failed(FailureKind.ServiceError,
                $"job {upstreamId} was started by a trueai-flavour engine of this name, and novicezk's proxy cannot go on with it", null);
        }
        var (task, early) = await MjCalls.FetchAsync(http, job.TaskId, cancellationToken);
        if (early is not null)
        {
            return early;
        }
        using var _ = task;
        var root = task!.RootElement;
        // NZ's TaskStatus has these five; MODAL and CANCEL are TI's and would mean this is not the proxy configured.
        return root.String("status") is "NOT_START" or "SUBMITTED" or "IN_PROGRESS" or "SUCCESS" or "FAILURE"
            ? MjAnswers.Poll(root, firstHalf: false)
            : new PollAnswer.Unreachable($"the proxy answered a status novicezk's proxy does not have ({UpstreamHttp.Trim(root.GetRawText())})");
    }

    /// <summary>
    /// NZ has no cancel route: its job runs on until it ends or NZ's own timeout (timeout-minutes, 5 by default) fails it.
    /// Nothing is sent; Easel's task is cancelled or timed out and refunded all the same.
    /// </summary>
    public Task<bool> CancelAsync(string upstreamId, CancellationToken cancellationToken) => Task.FromResult(false);
}
