using System.Text.Json;
using Easel.Core.Engines.Upstream;
using Easel.Core.Outbound;
using Easel.Core.Tasks;

namespace Easel.Engines.Upstream.SdWebui;

/// <summary>
/// Reading A1111's answers (UPSTREAMS.md section 2) like client input: <c>{images:[base64 PNG], parameters, info}</c>
/// (each image's base64 handed to re-hosting, which decodes and identifies it), and the error bodies: FastAPI's
/// <c>{"detail": "text"}</c> or validation <c>{"detail":[{loc,msg,type}]}</c>, and A1111's middleware
/// <c>{"error", "detail", "body", "errors"}</c>. Each failure carries what the task becomes when the call ended after
/// the submission was accepted, and what the submission says when it ended in time to be told (then an upstream that is
/// down or refuses our credentials lets the next engine try).
/// </summary>
internal static class SdWebuiAnswers
{
    /// <summary>The 404s A1111 raises for a request it cannot run (api.py), rather than a route it lacks.</summary>
    private static readonly string[] RequestNotFound = ["Sampler not found", "Init image not found"];

    public static SyncOutcome Read(OutboundResponse response, int expected)
    {
        ArgumentNullException.ThrowIfNull(response);
        using var json = UpstreamHttp.ObjectOf(response);
        if (!response.IsSuccess)
        {
            return Refusal(response, json);
        }
        var images = json?.RootElement.Array("images");
        if (images is null)
        {
            return Failed($"the upstream's answer has no images ({UpstreamHttp.Excerpt(response)})");
        }
        // A1111 puts a grid first when its return_grid option is on and the grid is not suppressed; info says where the
        // batch's own images start. What follows them (a script's extra images, e.g. ControlNet's maps) is not a result.
        var first = FirstImage(json!.RootElement);
        var count = images.Value.GetArrayLength();
        if (count - first < expected)
        {
            return Failed($"the upstream gave {count - first} images; {expected} were asked for");
        }
        var results = new List<UpstreamImage>(expected);
        foreach (var item in images.Value.EnumerateArray().Skip(first).Take(expected))
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } base64 || !LooksLikeBase64(base64))
            {
                return Failed($"image {results.Count} of the upstream's answer is not base64; it is not an image");
            }
            results.Add(UpstreamImage.OfBase64(base64));
        }
        return new SyncOutcome(new PollAnswer.Succeeded(results, null));
    }

    /// <summary>No answer at all: no connection (the next engine may try, if it is still time to), or no answer in time.</summary>
    public static SyncOutcome Unreached(OutboundException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.TimedOut
            ? new SyncOutcome(new PollAnswer.Failed(FailureKind.Timeout, $"the upstream engine did not answer in time: {e.Message}", null))
            : new SyncOutcome(new PollAnswer.Failed(FailureKind.ServiceError, $"the call to the upstream engine failed: {e.Message}", null),
                new SubmitAnswer.Unavailable(e.Message));
    }

    // info is a JSON string (Processed.js()); stable-diffusion.cpp's server sends "" and a fork may send anything, so
    // an info that does not parse, or has no index_of_first_image in range, means the images start at the first.
    private static int FirstImage(JsonElement root)
    {
        if (root.String("info") is not { Length: > 0 } info)
        {
            return 0;
        }
        try
        {
            using var parsed = JsonDocument.Parse(info);
            return parsed.RootElement.Number("index_of_first_image") is { } n and >= 0 and <= 1 ? (int)n : 0;
        }
        catch (JsonException)
        {
            return 0;
        }
    }

    // The whole payload's alphabet and length; decoding waits for re-hosting, which enforces the size limit first.
    private static readonly System.Buffers.SearchValues<char> Base64Alphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");

    // Vectorised: an image's base64 runs to megabytes, and a per-character delegate cost milliseconds of every task.
    private static bool LooksLikeBase64(string text) =>
        text.Length % 4 == 0 && !text.AsSpan().ContainsAnyExcept(Base64Alphabet);

    private static SyncOutcome Failed(string message) =>
        new(new PollAnswer.Failed(FailureKind.ServiceError, message, null));

    // The client's fault (A1111's validation, a sampler or script it lacks) fails the task wherever it is seen; what is
    // ours or the upstream's (credentials, its faults, a route it lacks: a server started without --api) lets the
    // next engine try while the submission can still say so, and after that fails the task with the upstream's reason.
    private static SyncOutcome Refusal(OutboundResponse response, JsonDocument? json)
    {
        var detail = UpstreamHttp.Trim(Detail(json?.RootElement) ?? UpstreamHttp.Excerpt(response));
        var said = $"HTTP {response.Status}: {detail}";
        var invalid = response.Status == 422
            || (response.Status == 404 && RequestNotFound.Any(n => detail.Contains(n, StringComparison.OrdinalIgnoreCase)));
        if (invalid)
        {
            var message = $"the upstream refused the parameters: {detail}";
            return new SyncOutcome(new PollAnswer.Failed(FailureKind.InvalidParameters, message, null),
                new SubmitAnswer.Refused(FailureKind.InvalidParameters, message));
        }
        var reason = response.Status is 401 or 403
            ? $"the upstream refused Easel's credentials ({said}); check the engine's ApiKey (user:password of --api-auth)"
            : $"the upstream engine failed the call ({said})";
        return new SyncOutcome(new PollAnswer.Failed(FailureKind.ServiceError, reason, null), new SubmitAnswer.Unavailable(said));
    }

    // detail is a string (HTTPException), or FastAPI validation's list of {loc, msg, type}; A1111's middleware adds errors.
    private static string? Detail(JsonElement? root)
    {
        if (root is not { } r)
        {
            return null;
        }
        if (r.String("detail") is { Length: > 0 } text)
        {
            return text;
        }
        if (r.Array("detail") is { } list)
        {
            var parts = list.EnumerateArray().Take(5).Select(Problem).Where(p => p.Length > 0).ToList();
            return parts.Count > 0 ? string.Join("; ", parts) : null;
        }
        return r.String("errors") is { Length: > 0 } errors ? errors : null;
    }

    private static string Problem(JsonElement item)
    {
        var message = item.String("msg") ?? "";
        var location = item.Array("loc") is { } loc
            ? string.Join('.', loc.EnumerateArray().Select(l => l.ValueKind == JsonValueKind.String ? l.GetString() : l.ToString()))
            : null;
        return location is { Length: > 0 } && message.Length > 0 ? $"{location}: {message}" : message;
    }
}
