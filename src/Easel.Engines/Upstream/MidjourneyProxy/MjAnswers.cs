using System.Text.Json;
using Easel.Core.Outbound;
using Easel.Core.Tasks;

namespace Easel.Engines.Upstream.MidjourneyProxy;

/// <summary>
/// The proxy's answers read without trusting their shape (UPSTREAMS.md section 1.1): a submission's SubmitResultVO
/// {code, description, result} and a task's TaskInfo {status, progress, imageUrl, imageUrls, buttons, failReason}.
/// </summary>
internal static class MjAnswers
{
    /// <summary>
    /// A submission's answer. Codes (Dto/ReturnCode.cs): 1 accepted, 22 accepted and queued, 21 a MODAL task waiting for
    /// /submit/modal (TI) or an existing task (NZ); 3 not found and 4 validation are refusals of the request, 24 a
    /// banned prompt (refused before anything was generated, so refunded); 9 (TI's full queue) and 23 (NZ's) and any
    /// other code mean this proxy cannot take it now, and the next engine may. 401/403 is our secret refused.
    /// </summary>
    public static SubmitAnswer Submission(OutboundResponse response, bool expectModal)
    {
        using var json = UpstreamHttp.ObjectOf(response);
        var root = json?.RootElement;
        var code = root?.Number("code") is { } c ? (int)c : (int?)null;
        var description = UpstreamHttp.Trim(root?.String("description") ?? UpstreamHttp.Excerpt(response));
        if (response.Status is 401 or 403)
        {
            return new SubmitAnswer.Unavailable($"the proxy refused our mj-api-secret (HTTP {response.Status})");
        }
        if (response.Status == 429 || response.Status >= 500 || code is null)
        {
            return new SubmitAnswer.Unavailable($"the proxy did not take the task ({UpstreamHttp.Excerpt(response)})");
        }
        switch (code)
        {
            case 1 or 21 or 22:
                var id = root!.Value.String("result");
                if (!MjJobId.IsTaskId(id))
                {
                    return new SubmitAnswer.Refused(FailureKind.ServiceError, $"the proxy accepted the task without a task id it can be asked about ({UpstreamHttp.Excerpt(response)})");
                }
                // 21 from TI is the MODAL task of a vary region or remix; anything else with 21 (NZ's "existed") is a task to wait on.
                return new SubmitAnswer.Accepted(new MjJobId(id!, code == 21 && expectModal ? MjStage.Modal : MjStage.Plain).ToString(), null, null);
            case 3:
                return new SubmitAnswer.Refused(FailureKind.ResourceNotFound, $"the proxy does not know the source task (code 3): {description}");
            case 4:
                return new SubmitAnswer.Refused(FailureKind.InvalidParameters, $"the proxy refused the parameters (code 4): {description}");
            case 24:
                var word = root!.Value.Object("properties")?.String("bannedWord");
                return new SubmitAnswer.Refused(FailureKind.ContentPolicyBeforeGeneration,
                    $"the proxy refused the prompt as banned (code 24){(word is null ? "" : $": '{UpstreamHttp.Trim(word)}'")}");
            default:
                return new SubmitAnswer.Unavailable($"the proxy did not take the task (code {code}): {description}");
        }
    }

    /// <summary>A task's buttons' customIds (the source of a secondary operation).</summary>
    public static IReadOnlyList<string> Buttons(JsonElement task) =>
        task.Array("buttons")?.EnumerateArray().Select(b => b.String("customId")).Where(c => c is { Length: > 0 and <= 500 }).Select(c => c!).ToList() ?? [];

    /// <summary>What a task's status says (NOT_START, SUBMITTED, IN_PROGRESS, MODAL, SUCCESS, FAILURE, CANCEL).</summary>
    public static PollAnswer Poll(JsonElement task, bool firstHalf)
    {
        switch (task.String("status"))
        {
            case "NOT_START" or "SUBMITTED" or "IN_PROGRESS" or "MODAL":
                var progress = Progress(task.String("progress"));
                return new PollAnswer.Running(firstHalf ? progress / 2 : progress, null);
            case "SUCCESS":
                return Results(task);
            case "FAILURE":
                return Failure(task.String("failReason"));
            case "CANCEL":
                return new PollAnswer.Failed(FailureKind.ServiceError, "the proxy cancelled the task", null);
            default:
                return new PollAnswer.Unreachable($"the proxy answered an unknown status ({UpstreamHttp.Trim(task.GetRawText())})");
        }
    }

    /// <summary>"46%" as 46; anything else (TI's "" after a failure, a missing field) as 0.</summary>
    public static int Progress(string? text) =>
        text is { Length: > 1 and <= 4 } && text[^1] == '%' && int.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var n) ? Math.Clamp(n, 0, 100) : 0;

    private static PollAnswer Results(JsonElement task)
    {
        // TI's imageUrls (four for a grid, one for an upscale) are the images themselves; otherwise imageUrl is one
        // picture: the grid of four for a grid operation, the image itself for an upscale (re-hosting tells them apart).
        if (task.Array("imageUrls") is { } list && list.GetArrayLength() > 0)
        {
            var urls = list.EnumerateArray().Select(u => JsonFields.ResultUrl(u.String("url"))).ToList();
            return urls.Any(u => u is null) || urls.Count > 4
                ? new PollAnswer.Failed(FailureKind.ServiceError, "the proxy finished the task with imageUrls that are not result URLs", null)
                : new PollAnswer.Succeeded(UpstreamImage.AtAll(urls!), null);
        }
        return JsonFields.ResultUrl(task.String("imageUrl")) is { } grid
            ? new PollAnswer.Succeeded([UpstreamImage.At(grid)], null) { OneGridOfFour = true }
            : new PollAnswer.Failed(FailureKind.ServiceError, "the proxy finished the task without an image URL", null);
    }

    /// <summary>Moderation words in a failReason are Midjourney's refusal of the prompt or image (before any image was shown, so refunded).</summary>
    private static PollAnswer.Failed Failure(string? reason)
    {
        var text = UpstreamHttp.Trim(string.IsNullOrWhiteSpace(reason) ? "no reason given" : reason);
        string[] moderation = ["banned", "moderation", "flagged", "blocked", "nsfw", "sensitive", "敏感", "违规"];
        var kind = moderation.Any(m => text.Contains(m, StringComparison.OrdinalIgnoreCase)) ? FailureKind.ContentPolicyBeforeGeneration : FailureKind.GenerationFailed;
        return new PollAnswer.Failed(kind, $"the proxy failed the task: {text}", null);
    }
}
