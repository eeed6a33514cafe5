using Easel.Core.Engines.Upstream;
using Easel.Core.Operations;
using Easel.Core.Tasks;

namespace Easel.Engines.Upstream;

/// <summary>
/// One upstream protocol: maps Easel's operation to its wire and its answers back. It never writes to a store: it
/// says what happened, and <see cref="UpstreamJobs"/> and <see cref="UpstreamPoller"/> record it.
/// </summary>
public interface IUpstreamProtocol
{
    /// <summary>
    /// Whether a second submission under the same key returns the first job instead of making another (Easel's own
    /// dialects with Idempotency-Key, cog's PUT by id): only then may a submission cut short by a crash be sent again.
    /// </summary>
    bool ResubmitsIdempotently { get; }

    /// <summary>
    /// Whether it sends the images themselves rather than URLs for this operation (the OpenAI Images API's multipart
    /// edits): then <see cref="UpstreamRequest.SourceBytes"/> and <see cref="UpstreamRequest.MaskBytes"/> are loaded
    /// before it is called. Per operation, so that a protocol that needs them for one (midjourney-proxy's Vary Region
    /// mask) does not load a source image of up to 20 MB for every other.
    /// </summary>
    bool SendsImageBytes(OperationKind kind);

    /// <summary>
    /// Whether the protocol ends a job at the engine's TaskTimeout itself (a synchronous call held in
    /// <see cref="SyncCalls"/>, which aborts the call and tells the upstream to stop). The poller's own deadline is then
    /// only a backstop, a little later, so that it does not race the protocol's orderly end and report it differently.
    /// </summary>
    bool EnforcesTaskTimeout => false;

    Task<SubmitAnswer> SubmitAsync(UpstreamRequest request, CancellationToken cancellationToken);

    Task<PollAnswer> PollAsync(string upstreamId, CancellationToken cancellationToken);

    /// <summary>Asks the upstream to stop a job; false where the protocol has no way to.</summary>
    Task<bool> CancelAsync(string upstreamId, CancellationToken cancellationToken);
}

/// <summary>
/// A protocol whose job may take more than one request upstream (midjourney-proxy: a button pressed on the upscale of
/// a grid image once that upscale is done; Vary Region's modal sent after its button made the MODAL task). Its poll
/// answers <see cref="PollAnswer.NextStep"/>; the poller records the step's id before anything is sent, then calls
/// <see cref="ContinueAsync"/> and records the job it answers with. After a crash the recorded step id is all the
/// protocol is given back, so it must say from that id alone whether the step may be sent again.
/// </summary>
public interface IUpstreamSteps
{
    Task<SubmitAnswer> ContinueAsync(UpstreamRequest request, string stepId, CancellationToken cancellationToken);
}

/// <summary>
/// What a protocol needs to submit one task. The images are URLs the upstream can fetch: a client's URL as given, or
/// Easel's own /files URL for an upload; a secondary operation's source is the upstream's own job id and image number.
/// A protocol that sends the images themselves gets their bytes too (an upload's, a URL's fetched through the guarded
/// client, or an earlier result's from storage), loaded as the local engine loads them.
/// </summary>
public sealed record UpstreamRequest(TaskRecord Task, string SubmissionKey)
{
    public string? SourceJobId { get; init; }

    public int SourceImageNumber { get; init; }

    public Uri? ImageUrl { get; init; }

    public Uri? MaskUrl { get; init; }

    /// <summary>The earlier result a secondary operation names, at Easel's own /files URL (for an upstream that fetches images by URL).</summary>
    public Uri? SourceUrl { get; init; }

    /// <summary>
    /// The operation that made that earlier result, when Easel still has its task: for an upstream whose secondary
    /// operations depend on what made their source (novicezk's proxy changes only grids, never an upscale).
    /// </summary>
    public Operation? SourceOperation { get; init; }

    /// <summary>The source image (the input image, or the earlier result a secondary operation names), when the protocol sends bytes.</summary>
    public byte[]? SourceBytes { get; init; }

    /// <summary>The mask image of an image mask (white repaints), when the protocol sends bytes.</summary>
    public byte[]? MaskBytes { get; init; }

    /// <summary>The per-task URL the upstream may call when the job changes; a call there only makes Easel poll.</summary>
    public Uri? WakeUpUrl { get; init; }

    /// <summary>
    /// Sent again after a crash cut the first submission short: a protocol that can look its job up by the submission key
    /// (ComfyUI's prompt id) looks before it sends, so the job is not made twice.
    /// </summary>
    public bool Resumed { get; init; }
}

public abstract record SubmitAnswer
{
    /// <summary>The upstream took the job: its id, its estimate of the time it takes, and its price when it says one.</summary>
    public sealed record Accepted(string UpstreamId, TimeSpan? Estimate, UpstreamCost? Cost) : SubmitAnswer;

    /// <summary>The upstream refused the task itself (its parameters, its content): the task fails, and no other engine is tried.</summary>
    public sealed record Refused(FailureKind Kind, string Message) : SubmitAnswer;

    /// <summary>The upstream did not take it (no connection, 5xx, 429, timeout, our credentials): the next engine may.</summary>
    public sealed record Unavailable(string Reason) : SubmitAnswer;
}

public abstract record PollAnswer
{
    /// <summary>Still working; progress 0-100 as the upstream reports it, and its estimate of the time left.</summary>
    public sealed record Running(int Progress, TimeSpan? Remaining) : PollAnswer;

    public sealed record Succeeded(IReadOnlyList<UpstreamImage> Results, UpstreamCost? Cost) : PollAnswer
    {
        /// <summary>
        /// Its one result is a picture of four images in a 2x2 grid (a midjourney-proxy that gives only its grid's
        /// imageUrl): re-hosting cuts it into the four when the operation gives four, and keeps it whole when the
        /// operation gives one (the proxy's upscale is that one image, not a grid).
        /// </summary>
        public bool OneGridOfFour { get; init; }
    }

    public sealed record Failed(FailureKind Kind, string Message, UpstreamCost? Cost) : PollAnswer;

    /// <summary>
    /// This step of the job is done and the next one is due (<see cref="IUpstreamSteps"/>): <paramref name="StepId"/>
    /// is recorded as the job's id, then the step is sent.
    /// </summary>
    public sealed record NextStep(string StepId) : PollAnswer;

    /// <summary>The poll itself failed (no connection, 5xx, a malformed answer): poll again on the schedule.</summary>
    public sealed record Unreachable(string Reason) : PollAnswer;

    /// <summary>The upstream does not know the job (404): it will never finish.</summary>
    public sealed record Lost(string Reason) : PollAnswer;
}
