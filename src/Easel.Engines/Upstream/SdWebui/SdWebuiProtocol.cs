using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Easel.Core.Engines;
using Easel.Core.Engines.Upstream;
using Easel.Core.Models;
using Easel.Core.Operations;
using Easel.Core.Outbound;
using Easel.Core.Tasks;

namespace Easel.Engines.Upstream.SdWebui;

/// <summary>
/// AUTOMATIC1111's Stable Diffusion WebUI API as an upstream (and the servers that keep its /sdapi/v1 routes: Forge,
/// SD.Next, stable-diffusion.cpp's server): imagine as POST /sdapi/v1/txt2img, the image operations as POST
/// /sdapi/v1/img2img with the source (composed on its canvas) and a mask, white where A1111 repaints. Upstream wire:
/// ../shared/UPSTREAMS.md section 2.
/// The API is synchronous, like the OpenAI Images API, and held the same way: the call runs in <see cref="SyncCalls"/>
/// under the submission key, the task waits without a worker slot, the submission waits Options:FailFastWindow for a
/// quick refusal (a 401 or an upstream that is down lets the next engine try), and the call dies with its process
/// (Lost, refunded). A1111 keeps rendering when the HTTP call is aborted, so a timeout or a cancel also posts
/// /sdapi/v1/interrupt, which stops whatever job the server runs at that moment: best effort (if our request was
/// still queued behind another client's, that one is stopped instead, and ours is not).
/// </summary>
public sealed class SdWebuiProtocol(UpstreamHttp http, SdWebuiSettings settings, SyncCalls calls) : IUpstreamProtocol
{
    public const string Type = "sd-webui";

    /// <summary>What txt2img and img2img serve; upscale, enhance, retexture and background removal are not sent.</summary>
    public static IReadOnlySet<EngineCapability> Capabilities { get; } = new HashSet<EngineCapability>
    {
        EngineCapability.Imagine, EngineCapability.UploadPaint, EngineCapability.Edit, EngineCapability.Inpaint,
        EngineCapability.Remix, EngineCapability.Variation, EngineCapability.Outpaint, EngineCapability.Pan,
    };

    /// <summary>One result's most bytes (the outbound limit) as base64.</summary>
    private static readonly int MaxImageBase64 = (int)DataUrl.Base64Length(20 * 1024 * 1024);

    /// <summary>The calls Easel is cancelling: their end is the cancel's business (it interrupts), not a timeout's.</summary>
    private readonly ConcurrentDictionary<string, byte> _cancelling = new(StringComparer.Ordinal);

    /// <summary>A1111 has no request key: a second submission renders again. A crash before the id is recorded fails the task as unknown.</summary>
    public bool ResubmitsIdempotently => false;

    public bool SendsImageBytes(OperationKind kind) => true;

    public bool EnforcesTaskTimeout => true;

    public async Task<SubmitAnswer> SubmitAsync(UpstreamRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var operation = request.Task.Operation;
        if (operation is not Imagine && request.SourceBytes is null)
        {
            throw new InvalidOperationException($"{operation.Kind} reached the sd-webui engine without its source image");
        }
        var id = request.SubmissionKey;
        return await calls.SubmitAsync(id, request.Task.Id, settings.TaskTimeout, settings.FailFastWindow, token => RunAsync(id, request, token));
    }

    public Task<PollAnswer> PollAsync(string upstreamId, CancellationToken cancellationToken) => Task.FromResult(calls.Poll(upstreamId));

    /// <summary>
    /// Aborts the held call, then, if it was still rendering, interrupts the server's render (a call that has ended
    /// has nothing to stop, and an interrupt then would stop another job); a failed interrupt is thrown for the caller
    /// to count and log.
    /// </summary>
    public async Task<bool> CancelAsync(string upstreamId, CancellationToken cancellationToken)
    {
        _cancelling[upstreamId] = 0;
        var rendering = calls.IsRunning(upstreamId);
        if (!calls.Cancel(upstreamId))
        {
            _cancelling.TryRemove(upstreamId, out _);
            return false;
        }
        if (!rendering)
        {
            _cancelling.TryRemove(upstreamId, out _);
            return true;
        }
        var answer = await http.SendAsync(HttpMethod.Post, "sdapi/v1/interrupt", "{}", cancellationToken);
        if (!answer.IsSuccess)
        {
            throw new OutboundException($"POST /sdapi/v1/interrupt answered {UpstreamHttp.Excerpt(answer)}");
        }
        return true;
    }

    private async Task<SyncOutcome> RunAsync(string id, UpstreamRequest request, CancellationToken cancellationToken)
    {
        var count = ModelCatalog.Of(request.Task.Operation.Kind).ImageCount;
        JsonObject body;
        string route;
        try
        {
            // Midjourney's parameters would be painted as words: read once, for the prompt, size, negative prompt and seed.
            var prompt = PromptParameters.Read(request.Task.Operation.Prompt);
            (route, body) = request.Task.Operation is Imagine
                ? ("sdapi/v1/txt2img", Txt2Img(request, prompt, count)) : ("sdapi/v1/img2img", Img2Img(request, prompt, count));
        }
        catch (EngineFailureException e)
        {
            return new SyncOutcome(new PollAnswer.Failed(e.Kind, e.Message, null), new SubmitAnswer.Refused(e.Kind, e.Message));
        }
        var json = body.ToJsonString();
        try
        {
            var response = await http.PostAsync(route, r => r with
            {
                JsonBody = json,
                // SyncCalls' timeout ends the call; this one only backs it up. A grid may come before the batch.
                Timeout = settings.TaskTimeout + TimeSpan.FromMinutes(1),
                MaxResponseBytes = ((count + 1) * MaxImageBase64) + (1024 * 1024),
            }, cancellationToken);
            return SdWebuiAnswers.Read(response, count);
        }
        catch (OutboundException e)
        {
            return SdWebuiAnswers.Unreached(e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !_cancelling.ContainsKey(id))
        {
            // Timed out: the aborted call leaves A1111 rendering, so it is told to stop; whether it heard goes in the reason.
            var interrupt = await InterruptAsync();
            return new SyncOutcome(new PollAnswer.Failed(FailureKind.Timeout,
                $"the upstream engine did not answer within {settings.TaskTimeout.TotalMinutes:0.##} minutes, and the call was given up; {interrupt}", null));
        }
        finally
        {
            _cancelling.TryRemove(id, out _);
        }
    }

    private async Task<string> InterruptAsync()
    {
        try
        {
            var answer = await http.SendAsync(HttpMethod.Post, "sdapi/v1/interrupt", "{}", CancellationToken.None);
            return answer.IsSuccess ? "its render was interrupted (POST /sdapi/v1/interrupt)"
                : $"interrupting its render failed ({UpstreamHttp.Excerpt(answer)})";
        }
        catch (OutboundException e)
        {
            return $"interrupting its render failed ({e.Message})";
        }
    }

    private JsonObject Txt2Img(UpstreamRequest request, PromptParameters prompt, int count)
    {
        var body = Common(request, prompt, count);
        // The configured size, or as many pixels in the shape the prompt's --ar asks for.
        (body["width"], body["height"]) = prompt.SizeOr(settings.Width, settings.Height, 8, SdWebuiSettings.MinSide, SdWebuiSettings.MaxSide);
        return body;
    }

    private JsonObject Img2Img(UpstreamRequest request, PromptParameters prompt, int count)
    {
        var images = Img2ImgInputs.Of(request.Task.Operation, request.SourceBytes!, request.MaskBytes, settings.Denoising);
        var body = Common(request, prompt, count);
        // A1111 renders multiples of 8 and stretches the init image and mask to the size asked (resize_mode 0): the
        // result is the upstream's size, which differs from the operation's by under 4 pixels a side when it is not one.
        (body["width"], body["height"]) = (Img2ImgInputs.Rounded(images.Width), Img2ImgInputs.Rounded(images.Height));
        body["init_images"] = new JsonArray(Convert.ToBase64String(images.Init));
        body["resize_mode"] = 0;
        body["denoising_strength"] = images.Denoising;
        if (images.Mask is { } mask)
        {
            body["mask"] = Convert.ToBase64String(mask);
            body["inpainting_fill"] = images.InpaintingFill;
            body["inpainting_mask_invert"] = 0;
            body["mask_blur"] = 4;
            // The whole picture, not A1111's API default of the mask's box alone: the result keeps the canvas's geometry
            // and the repainted area sees all of its surroundings.
            body["inpaint_full_res"] = false;
        }
        return body;
    }

    // --no joins the negative prompt, --seed replaces the task's.
    private JsonObject Common(UpstreamRequest request, PromptParameters prompt, int count)
    {
        var body = new JsonObject
        {
            ["prompt"] = prompt.Text,
            ["negative_prompt"] = prompt.NegativeWith(settings.NegativePrompt),
            ["batch_size"] = count,
            ["n_iter"] = 1,
            ["steps"] = settings.Steps,
            ["cfg_scale"] = settings.CfgScale,
            // Fixed by the task id (the local engine's seed): a resubmission of the task renders the same images.
            ["seed"] = prompt.Seed ?? TaskIds.SeedOf(request.Task.Id),
            ["send_images"] = true,
            ["save_images"] = false,
        };
        if (settings.Sampler is { } sampler)
        {
            body["sampler_name"] = sampler;
        }
        if (settings.Checkpoint is { } checkpoint)
        {
            body["override_settings"] = new JsonObject { ["sd_model_checkpoint"] = checkpoint };
        }
        return body;
    }
}
