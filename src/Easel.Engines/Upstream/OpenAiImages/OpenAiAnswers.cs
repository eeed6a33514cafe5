using System.Text.Json;
using Easel.Core.Engines.Upstream;
using Easel.Core.Outbound;
using Easel.Core.Tasks;

namespace Easel.Engines.Upstream.OpenAiImages;

/// <summary>
/// Reading the OpenAI Images API's answers (UPSTREAMS.md section 4) like client input: an ImagesResponse's
/// <c>data[]</c> (each a <c>b64_json</c>, handed to re-hosting as a data: URL, or a <c>url</c>) and <c>usage</c>, and
/// the error shape <c>{"error":{message,type,param,code}}</c> mapped to Easel's failures. Each failure carries two
/// answers: what the task becomes when the call ended after the submission was accepted, and what the submission says
/// when it ended in time to be told (then an upstream that is down, rate-limited or refuses our key lets the next engine try).
/// </summary>
internal static class OpenAiAnswers
{
    /// <summary>One call's images (as URLs re-hosting reads) and tokens, or its failure.</summary>
    public sealed record Call(IReadOnlyList<UpstreamImage> Images, decimal? Tokens, SyncOutcome? Failure);

    public static Call Read(OutboundResponse response, int expected)
    {
        using var json = UpstreamHttp.ObjectOf(response);
        if (!response.IsSuccess)
        {
            return new Call([], null, Refusal(response, json));
        }
        var data = json?.RootElement.Array("data");
        if (data is null)
        {
            return Failed(FailureKind.ServiceError, $"the upstream's answer has no data ({UpstreamHttp.Excerpt(response)})");
        }
        var images = new List<UpstreamImage>();
        foreach (var item in data.Value.EnumerateArray())
        {
            var image = item.String("b64_json") is { Length: > 0 } b64 ? UpstreamImage.OfBase64(b64)
                : JsonFields.ResultUrl(item.String("url")) is { } url ? UpstreamImage.At(url) : null;
            if (image is null)
            {
                return Failed(FailureKind.ServiceError, "the upstream answered an image with neither b64_json nor an http(s) url");
            }
            images.Add(image);
        }
        if (images.Count != expected)
        {
            return Failed(FailureKind.ServiceError, $"the upstream gave {images.Count} images; {expected} were asked for");
        }
        var tokens = json!.RootElement.Object("usage")?.Number("total_tokens") is { } t and >= 0 ? t : (decimal?)null;
        return new Call(images, tokens, null);
    }

    /// <summary>No answer at all: no connection (the next engine may try, if it is still time to), or no answer in time.</summary>
    public static Call Unreached(OutboundException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.TimedOut
            ? Failed(FailureKind.Timeout, $"the upstream engine did not answer in time: {e.Message}")
            : new Call([], null, new SyncOutcome(new PollAnswer.Failed(FailureKind.ServiceError, $"the call to the upstream engine failed: {e.Message}", null),
                new SubmitAnswer.Unavailable(e.Message)));
    }

    private static Call Failed(FailureKind kind, string message) => new([], null, new SyncOutcome(new PollAnswer.Failed(kind, message, null)));

    // The client's fault fails the task wherever it is seen; what is ours or the upstream's (credentials, access, rate,
    // a model it lacks, its own faults) lets the next engine try while the submission can still say so, and after
    // that fails the task with the upstream's reason (refunded: section 10's upstream failure).
    private static SyncOutcome Refusal(OutboundResponse response, JsonDocument? json)
    {
        var error = json?.RootElement.Object("error");
        var code = error?.String("code");
        var message = UpstreamHttp.Trim(error?.String("message") ?? UpstreamHttp.Excerpt(response));
        var said = $"HTTP {response.Status} {code ?? error?.String("type") ?? "without a code"}: {message}";
        (FailureKind Kind, string Message, bool Refused) = (response.Status, code) switch
        {
            (400, "content_policy_violation" or "moderation_blocked") =>
                (FailureKind.ContentPolicyBeforeGeneration, $"the upstream's moderation refused the request: {message}", true),
            (400 or 413 or 415 or 422, _) => (FailureKind.InvalidParameters, $"the upstream refused the parameters: {message}", true),
            _ => (FailureKind.ServiceError, $"the upstream engine failed the call ({said})", false),
        };
        var failed = new PollAnswer.Failed(Kind, Message, null);
        return new SyncOutcome(failed, Refused ? new SubmitAnswer.Refused(Kind, Message) : new SubmitAnswer.Unavailable(said));
    }
}
