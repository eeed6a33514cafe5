namespace Easel.Engines.Upstream;

/// <summary>
/// One entry of Easel:Engines:&lt;name&gt; (API.md section 10). Bound from configuration or the environment
/// (Easel__Engines__evolink__ApiKey); checked at start by <see cref="EngineSetup"/>, whose errors name the entry.
/// </summary>
public sealed class EngineOptions
{
    /// <summary>local | passthrough | unified | classic | openai-images | sd-webui | midjourney-proxy | comfyui | cog.</summary>
    public string? Type { get; set; }

    /// <summary>The upstream's base URL (not for local); its host and port are allowed for the outbound guard, nothing else.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>The credential sent upstream as a bearer token: never logged, never returned.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The operations it serves ("imagine", "upload-paint", "remove-bg", ...); default: every one its type can.</summary>
    public string[]? Operations { get; set; }

    /// <summary>Lower is tried first; default 100 upstream, 1000 local.</summary>
    public int? Priority { get; set; }

    /// <summary>Tasks this node may have on it at once; default 64 upstream (local: the workers bound it).</summary>
    public int? MaxInFlight { get; set; }

    /// <summary>How long a task may wait there before it fails with generation_timeout and is refunded; default 20 min.</summary>
    public TimeSpan? TaskTimeout { get; set; }

    /// <summary>Each request to the upstream (a submission, a poll, a cancel) is given up after this.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a job is polled in its first minute.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a job is polled after its first minute.</summary>
    public TimeSpan SlowPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether the upstream's own estimate of the time left may postpone a poll (at most 2 minutes).</summary>
    public bool UseUpstreamEstimate { get; set; } = true;

    /// <summary>
    /// A comfyui engine's workflow file per operation (Workflows:imagine = workflows/txt2img.json): a section of its own,
    /// because Options holds single values and a file per operation is a map.
    /// </summary>
    public Dictionary<string, string>? Workflows { get; set; }

    /// <summary>What one protocol needs: classic's Envelope (flat | input) and ResubmitAfterCrash (true | false); openai-images' Model, SingleImage, Size and FailFastWindow.</summary>
    public Dictionary<string, string> Options { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
