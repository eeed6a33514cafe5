using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Easel.Core.Engines;
using Easel.Core.Engines.Upstream;
using Easel.Core.Models;
using Easel.Core.Operations;
using Easel.Core.Outbound;
using Easel.Core.Tasks;

namespace Easel.Engines.Upstream.ComfyUi;

/// <summary>
/// ComfyUI as an upstream (UPSTREAMS.md section 3): the operator's workflow of the operation, its placeholders filled
/// (<see cref="ComfyWorkflow"/>), the source and mask uploaded by POST /upload/image, the graph queued by POST /prompt
/// under a prompt id derived from Easel's submission key, polled by GET /history/{id} (absent while queued or running;
/// then GET /queue says which, and a prompt in neither is lost), its output nodes' images fetched by GET /view.
/// Cancel and timeout delete a waiting prompt from the queue (POST /queue {delete}) and interrupt a running one with
/// POST /interrupt {prompt_id}, which ComfyUI since PR 9607 (2025-09) applies only while that prompt runs; an older
/// server ignores the body and stops whatever runs, so the prompt is first seen running in /queue, leaving only the
/// instant between the two requests for the stop to reach another client's prompt.
/// ComfyUI has no authentication of its own; an ApiKey goes as a bearer token to a reverse proxy in front of it, on every
/// request, including the fetches of the results (which are then made here and handed to re-hosting as data: URLs).
/// </summary>
public sealed class ComfyUiProtocol(UpstreamHttp http, ComfyUiSettings settings) : IUpstreamProtocol
{
    public const string Type = "comfyui";

    /// <summary>The client_id of Easel's prompts (the WebSocket's session name; Easel polls, so no socket uses it).</summary>
    public const string ClientId = "easel";

    /// <summary>Every operation a workflow may serve: the engine serves those it has workflows for.</summary>
    public static IReadOnlySet<EngineCapability> AllCapabilities { get; } = Enum.GetValues<EngineCapability>().ToHashSet();

    /// <summary>GET /queue carries the graph of every prompt in it: room for a long queue of large graphs.</summary>
    private const int MaxQueueBytes = 64 * 1024 * 1024;

    /// <summary>One result's most bytes (the outbound limit of a fetched image).</summary>
    private const int MaxImageBytes = 20 * 1024 * 1024;

    /// <summary>
    /// POST /prompt queues a client's prompt_id without looking whether it exists (server.py), so a second send runs the
    /// graph twice. A resumed submission therefore looks for its id in /history and /queue first and sends only when it
    /// is in neither: idempotent within ComfyUI's history (the last 10,000 prompts, kept in memory until it restarts).
    /// Options:ResubmitAfterCrash = false turns it off for servers older than client prompt ids, which mint their own.
    /// </summary>
    public bool ResubmitsIdempotently => settings.ResubmitsAfterCrash;

    public bool SendsImageBytes(OperationKind kind) => true;

    /// <summary>The prompt id of a submission: a UUID (version 5 layout, canonical lowercase) of the submission key's hash.</summary>
    public static string PromptIdOf(string submissionKey)
    {
        ArgumentNullException.ThrowIfNull(submissionKey);
        var bytes = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("easel-comfyui:" + submissionKey))[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexStringLower(bytes);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    public async Task<SubmitAnswer> SubmitAsync(UpstreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var operation = request.Task.Operation;
        var entry = ModelCatalog.Of(operation.Kind);
        var workflow = settings.Workflows.GetValueOrDefault(operation.Kind)
            ?? throw new InvalidOperationException($"{entry.Operation} reached the comfyui engine, which has no workflow for it");
        var promptId = PromptIdOf(request.SubmissionKey);
        if (request.Resumed)
        {
            var (found, reason) = await FindAsync(promptId, cancellationToken);
            if (found)
            {
                return new SubmitAnswer.Accepted(promptId, null, null);
            }
            if (reason is not null)
            {
                return new SubmitAnswer.Unavailable(reason);
            }
        }

        // Midjourney's parameters would be painted as words: --ar sizes imagine, --no joins the negative prompt, --seed
        // replaces the task's seed (which is fixed by the task id, so a resubmission renders the same images).
        var prompt = PromptParameters.Read(operation.Prompt);
        var (width, height) = prompt.SizeOr(settings.Width, settings.Height, 8, 64, 4096);
        var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            [ComfyWorkflow.Prompt] = prompt.Text,
            [ComfyWorkflow.NegativePrompt] = prompt.NegativeWith(settings.NegativePrompt),
            [ComfyWorkflow.Seed] = prompt.Seed ?? TaskIds.SeedOf(request.Task.Id),
            [ComfyWorkflow.BatchSize] = entry.ImageCount,
            [ComfyWorkflow.Width] = width,
            [ComfyWorkflow.Height] = height,
            [ComfyWorkflow.Denoise] = 1.0m,
        };
        if (operation is not Imagine)
        {
            var failure = await UploadAllAsync(request, workflow, values, cancellationToken);
            if (failure is not null)
            {
                return failure;
            }
        }

        var body = new JsonObject { ["prompt"] = workflow.Fill(values), ["client_id"] = ClientId, ["prompt_id"] = promptId };
        OutboundResponse response;
        try
        {
            response = await http.SendAsync(HttpMethod.Post, "prompt", body.ToJsonString(), cancellationToken);
        }
        catch (OutboundException e)
        {
            return new SubmitAnswer.Unavailable(e.Message);
        }
        if (!response.IsSuccess)
        {
            return ComfyUiAnswers.Refusal(response, entry.Operation);
        }
        using var json = UpstreamHttp.ObjectOf(response);
        var id = json?.RootElement.String("prompt_id");
        // A server older than client prompt ids mints its own: polls use the id it answers.
        return JsonFields.IsJobId(id)
            ? new SubmitAnswer.Accepted(id!, null, null)
            : new SubmitAnswer.Refused(FailureKind.ServiceError, $"ComfyUI's answer named no prompt id ({UpstreamHttp.Excerpt(response)})");
    }

    /// <summary>Uploads the images the workflow's placeholders name and puts their names (and the size and strength) in the values.</summary>
    private async Task<SubmitAnswer?> UploadAllAsync(UpstreamRequest request, ComfyWorkflow workflow, Dictionary<string, JsonNode?> values,
        CancellationToken cancellationToken)
    {
        var operation = request.Task.Operation;
        var source = request.SourceBytes ?? throw new InvalidOperationException($"{operation.Kind} reached the comfyui engine without its source image");
        ComfyUiInputs.Images images;
        try
        {
            images = ComfyUiInputs.Of(operation, source, request.MaskBytes, settings.Denoising);
        }
        catch (EngineFailureException e)
        {
            return new SubmitAnswer.Refused(e.Kind, e.Message);
        }
        (values[ComfyWorkflow.Width], values[ComfyWorkflow.Height], values[ComfyWorkflow.Denoise]) = (images.Width, images.Height, images.Denoise);
        var files = new (string Placeholder, byte[]? Bytes)[]
        {
            (ComfyWorkflow.Image, images.Image), (ComfyWorkflow.Mask, images.Mask), (ComfyWorkflow.MaskedImage, images.MaskedImage),
        };
        foreach (var (placeholder, bytes) in files.Where(f => workflow.Uses(f.Placeholder)))
        {
            if (bytes is null)
            {
                throw new InvalidOperationException($"the workflow of {operation.Kind} asks for {placeholder}, which the start-up check lets through only with a mask");
            }
            // Named by the submission: a resend overwrites its own files and no other task's.
            var (name, failure) = await UploadAsync($"{request.SubmissionKey}-{placeholder.Replace('_', '-')}.png", bytes, cancellationToken);
            if (failure is not null)
            {
                return failure;
            }
            values[placeholder] = name;
        }
        return null;
    }

    private async Task<(string? Name, SubmitAnswer? Failure)> UploadAsync(string fileName, byte[] png, CancellationToken cancellationToken)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(png);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "\"image\"", $"\"{fileName}\"");
        foreach (var (name, value) in new[] { ("type", "input"), ("overwrite", "true") })
        {
            var part = new StringContent(value);
            part.Headers.ContentType = null;
            form.Add(part, $"\"{name}\"");
        }
        var body = await form.ReadAsByteArrayAsync(cancellationToken);
        var type = form.Headers.ContentType!.ToString();
        OutboundResponse response;
        try
        {
            response = await http.PostAsync("upload/image", r => r with { Body = body, ContentType = type }, cancellationToken);
        }
        catch (OutboundException e)
        {
            return (null, new SubmitAnswer.Unavailable(e.Message));
        }
        if (!response.IsSuccess)
        {
            return (null, response.Status is 400 or 413
                ? new SubmitAnswer.Refused(FailureKind.ServiceError, $"ComfyUI refused the upload of {fileName}: {UpstreamHttp.Excerpt(response)}")
                : new SubmitAnswer.Unavailable($"uploading {fileName}: {UpstreamHttp.Excerpt(response)}"));
        }
        using var json = UpstreamHttp.ObjectOf(response);
        var stored = json?.RootElement.String("name");
        var subfolder = json?.RootElement.String("subfolder");
        if (stored is not { Length: > 0 } || stored.IndexOfAny(['/', '\\']) >= 0)
        {
            return (null, new SubmitAnswer.Refused(FailureKind.ServiceError, $"ComfyUI's answer to the upload of {fileName} named no file ({UpstreamHttp.Excerpt(response)})"));
        }
        // LoadImage takes "subfolder/name" for a file in a subfolder of the input directory.
        return (string.IsNullOrEmpty(subfolder) ? stored : $"{subfolder}/{stored}", null);
    }

    public async Task<PollAnswer> PollAsync(string upstreamId, CancellationToken cancellationToken)
    {
        var (entry, early) = await HistoryAsync(upstreamId, cancellationToken);
        if (early is not null)
        {
            return early;
        }
        if (entry is not null)
        {
            return await FinishedAsync(entry.Value, cancellationToken);
        }
        var (place, ahead, reason) = await PlaceAsync(upstreamId, cancellationToken);
        switch (place)
        {
            case null:
                return new PollAnswer.Unreachable(reason!);
            case QueuePlace.Running:
                // ComfyUI tells a run's progress only on its WebSocket; over HTTP, running is half-way.
                return new PollAnswer.Running(50, null);
            case QueuePlace.Pending:
                return new PollAnswer.Running(ahead == 0 ? 5 : 0, null);
        }
        // It may have finished between the two reads (a prompt leaves the queue for the history, never the other way).
        (entry, early) = await HistoryAsync(upstreamId, cancellationToken);
        if (early is not null)
        {
            return early;
        }
        return entry is not null
            ? await FinishedAsync(entry.Value, cancellationToken)
            : new PollAnswer.Lost($"ComfyUI has prompt {upstreamId} neither in its queue nor in its history (it restarted, or its history was cleared)");
    }

    public async Task<bool> CancelAsync(string upstreamId, CancellationToken cancellationToken)
    {
        var (place, _, reason) = await PlaceAsync(upstreamId, cancellationToken);
        var (path, body) = place switch
        {
            null => throw new OutboundException(reason!),
            QueuePlace.Pending => ("queue", new JsonObject { ["delete"] = new JsonArray(upstreamId) }),
            QueuePlace.Running => ("interrupt", new JsonObject { ["prompt_id"] = upstreamId }),
            // Finished already (or never queued): nothing runs to stop.
            _ => (null, null),
        };
        if (path is null)
        {
            return true;
        }
        var answer = await http.SendAsync(HttpMethod.Post, path, body!.ToJsonString(), cancellationToken);
        if (!answer.IsSuccess)
        {
            throw new OutboundException($"POST /{path} answered {UpstreamHttp.Excerpt(answer)}");
        }
        return true;
    }

    /// <summary>Whether ComfyUI has the prompt (history, then queue, then history again); a reason when it cannot be asked.</summary>
    private async Task<(bool Found, string? Reason)> FindAsync(string promptId, CancellationToken cancellationToken)
    {
        var (entry, early) = await HistoryAsync(promptId, cancellationToken);
        if (entry is not null)
        {
            return (true, null);
        }
        if (early is not PollAnswer.Lost and not null)
        {
            return (false, Reason(early));
        }
        var (place, _, reason) = await PlaceAsync(promptId, cancellationToken);
        if (place is null)
        {
            return (false, reason);
        }
        if (place != QueuePlace.Absent)
        {
            return (true, null);
        }
        (entry, early) = await HistoryAsync(promptId, cancellationToken);
        return entry is not null ? (true, null) : (false, early is PollAnswer.Unreachable ? Reason(early) : null);
    }

    private static string Reason(PollAnswer answer) => answer switch
    {
        PollAnswer.Unreachable u => u.Reason,
        PollAnswer.Lost l => l.Reason,
        _ => answer.ToString(),
    };

    /// <summary>The prompt's history entry (cloned out of the document), none, or what the failed read means.</summary>
    private async Task<(JsonElement? Entry, PollAnswer? Early)> HistoryAsync(string promptId, CancellationToken cancellationToken)
    {
        var (json, early) = await http.PollAsync("history/" + Uri.EscapeDataString(promptId), promptId, cancellationToken);
        if (early is not null)
        {
            return (null, early);
        }
        using var _ = json;
        return (ComfyUiAnswers.Entry(json!.RootElement, promptId)?.Clone(), null);
    }

    private async Task<(QueuePlace? Place, int Ahead, string? Reason)> PlaceAsync(string promptId, CancellationToken cancellationToken)
    {
        OutboundResponse response;
        try
        {
            response = await http.SendAsync(HttpMethod.Get, "queue", null, cancellationToken, maxResponseBytes: MaxQueueBytes);
        }
        catch (OutboundException e)
        {
            return (null, 0, e.Message);
        }
        using var json = UpstreamHttp.ObjectOf(response);
        if (!response.IsSuccess || json is null)
        {
            return (null, 0, "GET /queue answered " + UpstreamHttp.Excerpt(response));
        }
        var (place, ahead) = ComfyUiAnswers.Place(json.RootElement, promptId);
        return (place, ahead, null);
    }

    private async Task<PollAnswer> FinishedAsync(JsonElement entry, CancellationToken cancellationToken)
    {
        var (failure, images) = ComfyUiAnswers.Finished(entry, settings.OutputNodes);
        if (failure is not null)
        {
            return new PollAnswer.Failed(FailureKind.GenerationFailed, "ComfyUI failed the workflow: " + failure, null);
        }
        if (images.Count == 0)
        {
            return new PollAnswer.Failed(FailureKind.ServiceError, "ComfyUI finished the workflow without an image in its output nodes", null);
        }
        var urls = new List<UpstreamImage>(images.Count);
        foreach (var (node, fileName, subfolder, type) in images)
        {
            if (fileName.Length is 0 or > 255 || fileName.IndexOfAny(['/', '\\']) >= 0 || type is not ("output" or "temp" or "input"))
            {
                return new PollAnswer.Failed(FailureKind.ServiceError, $"ComfyUI named a result of node {node} that Easel cannot fetch ('{UpstreamHttp.Trim(fileName)}', type '{type}')", null);
            }
            var path = $"view?filename={Uri.EscapeDataString(fileName)}&subfolder={Uri.EscapeDataString(subfolder)}&type={type}";
            if (!http.HasCredentials)
            {
                urls.Add(UpstreamImage.At(new Uri(http.BaseUrl, path)));
                continue;
            }
            // Behind a proxy that wants the bearer token, re-hosting's plain GET would be refused: fetched here with it.
            OutboundResponse response;
            try
            {
                response = await http.SendAsync(HttpMethod.Get, path, null, cancellationToken, new Dictionary<string, string> { ["Accept"] = "image/*" }, MaxImageBytes);
            }
            catch (OutboundException e)
            {
                return e.Message.Contains("over the limit", StringComparison.Ordinal)
                    ? new PollAnswer.Failed(FailureKind.ServiceError, $"The upstream engine's results were refused: result {urls.Count} {e.Message}", null)
                    : new PollAnswer.Unreachable(e.Message);
            }
            if (!response.IsSuccess)
            {
                return new PollAnswer.Failed(FailureKind.ServiceError, $"ComfyUI did not serve result {urls.Count} ({fileName}): {UpstreamHttp.Excerpt(response)}", null);
            }
            urls.Add(UpstreamImage.OfBytes(response.Body));
        }
        return new PollAnswer.Succeeded(urls, null);
    }
}
