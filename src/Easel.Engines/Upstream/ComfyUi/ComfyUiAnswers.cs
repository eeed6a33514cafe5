using System.Text;
using System.Text.Json;
using Easel.Core.Engines.Upstream;
using Easel.Core.Outbound;
using Easel.Core.Tasks;

namespace Easel.Engines.Upstream.ComfyUi;

/// <summary>Where a prompt is in ComfyUI's queue (GET /queue): running, waiting at a position, or not there.</summary>
internal enum QueuePlace { Absent, Pending, Running }

/// <summary>
/// Reading ComfyUI's answers (UPSTREAMS.md section 3; server.py and execution.py) like client input: the 400 of POST
/// /prompt (<c>{error:{type, message, details}, node_errors:{id:{errors:[{type, message, details}], class_type}}}</c>),
/// an entry of GET /history/{id} (<c>{status:{status_str, completed, messages:[[event, data]]}, outputs:{id:{images:[{filename,
/// subfolder, type}]}}}</c>), and GET /queue (<c>{queue_running:[[number, prompt_id, ...]], queue_pending:[...]}</c>).
/// </summary>
internal static class ComfyUiAnswers
{
    /// <summary>What a POST /prompt (or /upload/image) that was not accepted means.</summary>
    public static SubmitAnswer Refusal(OutboundResponse response, string operation)
    {
        using var json = UpstreamHttp.ObjectOf(response);
        // Only a 400 is about the graph; a 5xx, our credentials refused by a proxy, a 429 or a wrong base URL let the next engine try.
        if (response.Status != 400)
        {
            return new SubmitAnswer.Unavailable($"HTTP {response.Status}: {UpstreamHttp.Trim(UpstreamHttp.Excerpt(response))}");
        }
        var root = json?.RootElement;
        var error = root?.Object("error");
        var nodes = root?.Object("node_errors");
        var type = error?.String("type");
        if (type == "invalid_prompt_id")
        {
            // Easel's ids are canonical UUIDs: this answer is a server that reads them otherwise, not the client's doing.
            return new SubmitAnswer.Refused(FailureKind.ServiceError, $"ComfyUI refused the prompt id: {error?.String("message")}");
        }
        var text = new StringBuilder();
        foreach (var node in nodes?.EnumerateObject() ?? Enumerable.Empty<JsonProperty>())
        {
            foreach (var item in node.Value.Array("errors")?.EnumerateArray() ?? Enumerable.Empty<JsonElement>())
            {
                text.Append(text.Length == 0 ? "" : "; ")
                    .Append($"node {node.Name} ({node.Value.String("class_type") ?? "?"}): {item.String("message")}")
                    .Append(item.String("details") is { Length: > 0 } details ? $": {details}" : "");
            }
        }
        if (text.Length == 0)
        {
            text.Append(error?.String("message") ?? UpstreamHttp.Excerpt(response));
            if (error?.String("details") is { Length: > 0 } details && details != error?.String("message"))
            {
                text.Append(": ").Append(details);
            }
        }
        // A graph ComfyUI will not run as filled for this task: the task fails and is refunded; another engine's workflow
        // would be the operator's, not the client's, choice.
        return new SubmitAnswer.Refused(FailureKind.InvalidParameters,
            $"ComfyUI refused the workflow of {operation} ({type ?? "invalid_prompt"}): {UpstreamHttp.Trim(text.ToString())}");
    }

    /// <summary>The history entry of the prompt, or null when the history does not have it (yet).</summary>
    public static JsonElement? Entry(JsonElement history, string promptId) => history.Object(promptId);

    /// <summary>What a finished prompt's history entry says: its failure, or the file references of its images.</summary>
    public static (string? Failure, IReadOnlyList<(string Node, string FileName, string Subfolder, string Type)> Images) Finished(
        JsonElement entry, IReadOnlySet<string>? outputNodes)
    {
        var status = entry.Object("status");
        var messages = status?.Array("messages")?.EnumerateArray().ToList() ?? [];
        if (status?.String("status_str") == "error")
        {
            foreach (var message in messages)
            {
                if (message.ValueKind == JsonValueKind.Array && message.GetArrayLength() == 2 && message[0].ValueKind == JsonValueKind.String)
                {
                    var data = message[1];
                    switch (message[0].GetString())
                    {
                        case "execution_error":
                            return ($"node {data.String("node_id") ?? "?"} ({data.String("node_type") ?? "?"}) raised {data.String("exception_type") ?? "an exception"}: "
                                + UpstreamHttp.Trim(data.String("exception_message")?.Trim() ?? "no message"), []);
                        case "execution_interrupted":
                            return ($"the run was interrupted at node {data.String("node_id") ?? "?"} ({data.String("node_type") ?? "?"})", []);
                    }
                }
            }
            return ("the run ended in error without a message", []);
        }
        var images = new List<(string, string, string, string)>();
        foreach (var output in entry.Object("outputs")?.EnumerateObject() ?? Enumerable.Empty<JsonProperty>())
        {
            if (outputNodes is not null && !outputNodes.Contains(output.Name))
            {
                continue;
            }
            foreach (var image in output.Value.Array("images")?.EnumerateArray() ?? Enumerable.Empty<JsonElement>())
            {
                images.Add((output.Name, image.String("filename") ?? "", image.String("subfolder") ?? "", image.String("type") ?? "output"));
            }
        }
        return (null, images);
    }

    /// <summary>Where the prompt is in GET /queue's answer, and how many wait before it when it waits.</summary>
    public static (QueuePlace Place, int Ahead) Place(JsonElement queue, string promptId)
    {
        if (Contains(queue.Array("queue_running"), promptId, out _))
        {
            return (QueuePlace.Running, 0);
        }
        return Contains(queue.Array("queue_pending"), promptId, out var ahead) ? (QueuePlace.Pending, ahead) : (QueuePlace.Absent, 0);
    }

    // Each item is [number, prompt_id, prompt, extra_data, outputs_to_execute]; pending items come in no set order, so
    // the ones ahead are those of a lower number (ComfyUI runs the lowest first).
    private static bool Contains(JsonElement? items, string promptId, out int ahead)
    {
        ahead = 0;
        var all = items?.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Array && i.GetArrayLength() >= 2).ToList() ?? [];
        var ours = all.FirstOrDefault(i => i[1].ValueKind == JsonValueKind.String && i[1].GetString() == promptId);
        if (ours.ValueKind != JsonValueKind.Array)
        {
            return false;
        }
        var number = ours[0].ValueKind == JsonValueKind.Number ? ours[0].GetDouble() : double.MaxValue;
        ahead = all.Count(i => i[0].ValueKind == JsonValueKind.Number && i[0].GetDouble() < number);
        return true;
    }
}
