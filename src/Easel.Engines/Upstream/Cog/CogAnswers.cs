using System.Text.Json;
using Easel.Core.Engines.Upstream;
using Easel.Core.Outbound;
using Easel.Core.Tasks;

namespace Easel.Engines.Upstream.Cog;

/// <summary>
/// Reading cog's answers like client input (docs/UPSTREAM-COG.md): the PUT's status, the 422 detail list
/// <c>{"detail":[{loc, msg, type}]}</c>, and the prediction object a webhook delivers
/// (<c>{id, status, output, error, logs, metrics}</c>), whose terminal form is the job's result.
/// </summary>
internal static class CogAnswers
{
    private static readonly JsonDocumentOptions ReadOptions = new() { MaxDepth = 32 };

    public static SubmitAnswer Submitted(OutboundResponse response, string id)
    {
        using var json = UpstreamHttp.ObjectOf(response);
        if (response.IsSuccess)
        {
            // 202 {id, status: starting}, or the running prediction of the same id (a resubmission): either way ours.
            var answered = json?.RootElement.String("id");
            return answered is null || answered == id
                ? new SubmitAnswer.Accepted(id, null, null)
                : new SubmitAnswer.Unavailable($"the upstream answered for prediction '{answered}', not '{id}' ({UpstreamHttp.Excerpt(response)})");
        }
        if (response.Status == 422)
        {
            return new SubmitAnswer.Refused(FailureKind.InvalidParameters, $"the upstream refused the input: {Detail(json?.RootElement) ?? UpstreamHttp.Excerpt(response)}");
        }
        // 409: every prediction slot is busy; 503: its setup has not finished (or failed); 5xx, 429, a proxy's 401: not now.
        var reason = response.Status == 409 ? $"all its prediction slots are busy ({UpstreamHttp.Excerpt(response)})" : UpstreamHttp.Excerpt(response);
        return new SubmitAnswer.Unavailable(reason);
    }

    /// <summary>A webhook's body: the job's end when it is this prediction's terminal state, otherwise ignored.</summary>
    public static DeliveryReading Delivery(ReadOnlyMemory<byte> body, string id)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, ReadOptions);
        }
        catch (JsonException)
        {
            return new DeliveryReading.Ignored("the body is not JSON");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new DeliveryReading.Ignored("the body is not a prediction object");
            }
            if (root.String("id") is not { } answered || answered != id)
            {
                return new DeliveryReading.Ignored($"it is for prediction '{Printable(root.String("id"))}', not '{id}'");
            }
            return root.String("status") switch
            {
                "succeeded" => new DeliveryReading.Final(Outputs(root)),
                "failed" => new DeliveryReading.Final(new PollAnswer.Failed(FailureKind.GenerationFailed,
                    $"the model failed: {UpstreamHttp.Trim(root.String("error") ?? "(no error given)")}", null)),
                // Easel's own cancel has ended the task already (this changes nothing then); any other is the upstream's.
                "canceled" => new DeliveryReading.Final(new PollAnswer.Failed(FailureKind.ServiceError, "the upstream cancelled the prediction", null)),
                var status => new DeliveryReading.Ignored($"its status is '{Printable(status)}', not terminal"),
            };
        }
    }

    // A file output is a string (data: URL, or the upload's URL with --upload-url); several are a list of them.
    private static PollAnswer Outputs(JsonElement root)
    {
        if (!root.TryGetProperty("output", out var output))
        {
            return NotImages("the prediction succeeded without an output");
        }
        var items = output.ValueKind switch
        {
            JsonValueKind.String => [output],
            JsonValueKind.Array => output.EnumerateArray().ToList(),
            _ => null,
        };
        if (items is null)
        {
            return NotImages($"its output is a {output.ValueKind.ToString().ToLowerInvariant()}, not a file or a list of files");
        }
        var results = new List<UpstreamImage>(items.Count);
        foreach (var item in items)
        {
            var text = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
            var image = text is not null && text.StartsWith("data:", StringComparison.OrdinalIgnoreCase) ? UpstreamImage.OfDataUrl(text)
                : JsonFields.ResultUrl(text) is { } url ? UpstreamImage.At(url) : null;
            if (image is null)
            {
                return NotImages($"output {results.Count} is not a data: or http(s) URL of a file");
            }
            results.Add(image);
        }
        return new PollAnswer.Succeeded(results, null);
    }

    private static PollAnswer.Failed NotImages(string message) =>
        new PollAnswer.Failed(FailureKind.ServiceError, "The upstream engine's results were refused: " + message, null);

    private static string? Detail(JsonElement? root)
    {
        if (root is not { } r)
        {
            return null;
        }
        if (r.Array("detail") is { } list)
        {
            var parts = list.EnumerateArray().Take(5).Select(Problem).Where(p => p.Length > 0).ToList();
            return parts.Count > 0 ? UpstreamHttp.Trim(string.Join("; ", parts)) : null;
        }
        return (r.String("detail") ?? r.String("error")) is { Length: > 0 } text ? UpstreamHttp.Trim(text) : null;
    }

    private static string Problem(JsonElement item)
    {
        var message = item.String("msg") ?? "";
        var location = item.Array("loc") is { } loc
            ? string.Join('.', loc.EnumerateArray().Select(l => l.ValueKind == JsonValueKind.String ? l.GetString() : l.ToString()))
            : null;
        return location is { Length: > 0 } && message.Length > 0 ? $"{location}: {message}" : message;
    }

    private static string Printable(string? text) => text is null ? "" : new string(UpstreamHttp.Trim(text).Select(c => char.IsControl(c) ? ' ' : c).ToArray());
}
