using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Easel.Core.Engines;
using Easel.Core.Engines.Upstream;
using Easel.Core.Models;
using Easel.Core.Operations;
using Easel.Core.Outbound;
using Easel.Core.Tasks;

namespace Easel.Engines.Upstream.OpenAiImages;

/// <summary>
/// The OpenAI Images API as an upstream (OpenAI, or a server that copies it such as stable-diffusion.cpp's): imagine as
/// POST /v1/images/generations, and what an image and a prompt can say (upload-paint, edit, inpaint, remix, retexture)
/// as POST /v1/images/edits with the image and a mask whose transparent pixels are edited. Upstream wire:
/// ../shared/UPSTREAMS.md section 4.
/// The API is synchronous: the answer comes when the images exist. The call runs in <see cref="SyncCalls"/>, under the
/// submission key as its job id, so the task waits without a worker slot like any upstream job. The submission waits
/// Options:FailFastWindow for the call to end: a refusal seen by then fails the task, an upstream that is down, rate-limited
/// or refuses our key lets the next engine try; after it the submission is accepted, and a failure fails the task (it
/// cannot fail over once accepted). The call lives in this process only: a restart or a takeover loses it (Lost, refunded).
/// </summary>
public sealed class OpenAiImagesProtocol(UpstreamHttp http, OpenAiImagesSettings settings, SyncCalls calls) : IUpstreamProtocol
{
    public const string Type = "openai-images";

    /// <summary>What an image and a prompt can honestly serve; variation (no prompt), outpaint, pan, upscale and the rest are not.</summary>
    public static IReadOnlySet<EngineCapability> Capabilities { get; } = new HashSet<EngineCapability>
    {
        EngineCapability.Imagine, EngineCapability.UploadPaint, EngineCapability.Edit, EngineCapability.Inpaint,
        EngineCapability.Remix, EngineCapability.Retexture,
    };

    /// <summary>One result's most bytes (the outbound limit) as base64, the answer read for each image asked.</summary>
    private static readonly int MaxImageBase64 = (int)DataUrl.Base64Length(20 * 1024 * 1024);

    /// <summary>No key goes with the request: a second submission would make a second render. A crash before the id is recorded fails the task as unknown.</summary>
    public bool ResubmitsIdempotently => false;

    public bool SendsImageBytes(OperationKind kind) => true;

    public bool EnforcesTaskTimeout => true;

    public async Task<SubmitAnswer> SubmitAsync(UpstreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var operation = request.Task.Operation;
        if (operation.Prompt is null)
        {
            return new SubmitAnswer.Refused(FailureKind.InvalidParameters, $"the OpenAI Images API needs a prompt, and this {operation.Kind} has none");
        }
        if (operation is not Imagine && request.SourceBytes is null)
        {
            throw new InvalidOperationException($"{operation.Kind} reached the OpenAI Images API without its source image");
        }
        var id = request.SubmissionKey;
        return await calls.SubmitAsync(id, request.Task.Id, settings.TaskTimeout, settings.FailFastWindow, token => RunAsync(request, token));
    }

    public Task<PollAnswer> PollAsync(string upstreamId, CancellationToken cancellationToken) => Task.FromResult(calls.Poll(upstreamId));

    public Task<bool> CancelAsync(string upstreamId, CancellationToken cancellationToken) => Task.FromResult(calls.Cancel(upstreamId));

    private async Task<SyncOutcome> RunAsync(UpstreamRequest request, CancellationToken cancellationToken)
    {
        var operation = request.Task.Operation;
        var count = ModelCatalog.Of(operation.Kind).ImageCount;
        var perCall = settings.SingleImage ? 1 : count;
        Func<CancellationToken, Task<OutboundResponse>> send;
        try
        {
            send = operation is Imagine ? Generation(operation.Prompt!, perCall) : await EditAsync(request, perCall, cancellationToken);
        }
        catch (EngineFailureException e)
        {
            return new SyncOutcome(new PollAnswer.Failed(e.Kind, e.Message, null), new SubmitAnswer.Refused(e.Kind, e.Message));
        }

        using var siblings = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var answers = await Task.WhenAll(Enumerable.Range(0, count / perCall).Select(_ => OneAsync(send, perCall, siblings, cancellationToken)));
        if (answers.FirstOrDefault(a => a?.Failure is not null)?.Failure is { } failure)
        {
            return failure;
        }
        var images = answers.SelectMany(a => a!.Images).ToList();
        var tokens = answers.Where(a => a!.Tokens is not null).Select(a => a!.Tokens!.Value).ToList();
        return new SyncOutcome(new PollAnswer.Succeeded(images, tokens.Count > 0 ? new UpstreamCost(tokens.Sum(), "tokens") : null));
    }

    // One HTTP call; the first that fails stops its siblings (their images would be thrown away). Null: stopped so.
    private static async Task<OpenAiAnswers.Call?> OneAsync(Func<CancellationToken, Task<OutboundResponse>> send, int expected,
        CancellationTokenSource siblings, CancellationToken call)
    {
        OpenAiAnswers.Call answer;
        try
        {
            answer = OpenAiAnswers.Read(await send(siblings.Token), expected);
        }
        catch (OutboundException e)
        {
            answer = OpenAiAnswers.Unreached(e);
        }
        catch (OperationCanceledException) when (siblings.IsCancellationRequested && !call.IsCancellationRequested)
        {
            return null;
        }
        if (answer.Failure is not null)
        {
            await siblings.CancelAsync();
        }
        return answer;
    }

    private Func<CancellationToken, Task<OutboundResponse>> Generation(string prompt, int n)
    {
        var read = PromptParameters.Read(prompt);
        var (w, h) = read.Aspect ?? (1, 1);
        var body = new JsonObject { ["model"] = settings.Model, ["prompt"] = Words(read), ["n"] = n, ["size"] = settings.SizeFor(w, h) };
        if (settings.TakesResponseFormat)
        {
            body["response_format"] = "b64_json";
        }
        var json = body.ToJsonString();
        return token => http.PostAsync("v1/images/generations", r => Limited(r with { JsonBody = json }, n), token);
    }

    // The API has no negative prompt and no seed: Midjourney's --no is said in words, and the other parameters are
    // dropped (an edit's size is its image's, a generation's is chosen from --ar).
    private static string Words(PromptParameters prompt) => prompt.Exclude is { } exclude ? $"{prompt.Text}. Avoid: {exclude}." : prompt.Text;

    private async Task<Func<CancellationToken, Task<OutboundResponse>>> EditAsync(UpstreamRequest request, int n, CancellationToken cancellationToken)
    {
        var files = EditInputs.Of(request.Task.Operation, request.SourceBytes!, request.MaskBytes);
        using var form = new MultipartFormDataContent();
        Field(form, "model", settings.Model);
        Field(form, "prompt", Words(PromptParameters.Read(request.Task.Operation.Prompt)));
        Field(form, "n", n.ToString(CultureInfo.InvariantCulture));
        Field(form, "size", settings.SizeFor(files.Width, files.Height));
        if (settings.TakesResponseFormat)
        {
            Field(form, "response_format", "b64_json");
        }
        // One image goes as "image", the SDK's name for a single file, which OpenAI and stable-diffusion.cpp both read.
        File(form, "image", "image.png", files.Image);
        if (files.Mask is { } mask)
        {
            File(form, "mask", "mask.png", mask);
        }
        // Built once: each of the calls of a single-image model sends the same form.
        var body = await form.ReadAsByteArrayAsync(cancellationToken);
        var type = form.Headers.ContentType!.ToString();
        return token => http.PostAsync("v1/images/edits", r => Limited(r with { Body = body, ContentType = type }, n), token);
    }

    // The call lasts as long as the render: SyncCalls' timeout ends it, this one only backs it up. The answer carries
    // the images themselves, so it may be as large as they are.
    private OutboundRequest Limited(OutboundRequest request, int n) => request with
    {
        Timeout = settings.TaskTimeout + TimeSpan.FromMinutes(1),
        MaxResponseBytes = (n * MaxImageBase64) + (1024 * 1024),
    };

    private static void Field(MultipartFormDataContent form, string name, string value)
    {
        var part = new StringContent(value);
        part.Headers.ContentType = null;
        form.Add(part, $"\"{name}\"");
    }

    private static void File(MultipartFormDataContent form, string name, string fileName, byte[] png)
    {
        var part = new ByteArrayContent(png);
        part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(part, $"\"{name}\"", $"\"{fileName}\"");
    }
}
