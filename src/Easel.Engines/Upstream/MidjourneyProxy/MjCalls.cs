using System.Text.Json;
using System.Text.Json.Nodes;
using Easel.Core.Outbound;

namespace Easel.Engines.Upstream.MidjourneyProxy;

/// <summary>
/// The requests both proxies (TI and NZ) answer alike: a submission's common fields, a submission posted and its
/// SubmitResultVO read, and a task fetched by id.
/// </summary>
internal static class MjCalls
{
    /// <summary><c>state</c> = the submission key, <c>notifyHook</c> = the task's wake-up URL (BaseSubmitDTO in both).</summary>
    public static JsonObject Base(UpstreamRequest request)
    {
        var body = new JsonObject { ["state"] = request.SubmissionKey };
        if (request.WakeUpUrl is { } wake)
        {
            body["notifyHook"] = wake.ToString();
        }
        return body;
    }

    public static async Task<SubmitAnswer> PostAsync(UpstreamHttp http, string path, JsonObject body, bool expectModal, CancellationToken cancellationToken)
    {
        OutboundResponse response;
        try
        {
            response = await http.SendAsync(HttpMethod.Post, path, body.ToJsonString(), cancellationToken);
        }
        catch (OutboundException e)
        {
            return new SubmitAnswer.Unavailable(e.Message);
        }
        return MjAnswers.Submission(response, expectModal);
    }

    /// <summary>
    /// A task's JSON, or what its absence means. TI answers an unknown id with no body at all (its Fetch returns a null
    /// TaskInfo, which ASP.NET Core sends as 204); NZ's Spring controller returns null too, sent as 200 with an empty
    /// body; a 404 or a JSON null means the same.
    /// </summary>
    public static Task<(JsonDocument? Json, PollAnswer? Answer)> FetchAsync(UpstreamHttp http, string id, CancellationToken cancellationToken) =>
        http.PollAsync($"mj/task/{Uri.EscapeDataString(id)}/fetch", id, cancellationToken, emptyIsLost: true);
}
