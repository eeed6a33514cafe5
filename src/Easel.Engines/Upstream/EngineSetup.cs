using Easel.Core.Engines;
using Easel.Core.Models;
using Easel.Core.Outbound;
using Easel.Engines.Upstream.Classic;
using Easel.Engines.Upstream.MidjourneyProxy;
using Easel.Engines.Upstream.ComfyUi;
using Easel.Engines.Upstream.Cog;
using Easel.Engines.Upstream.OpenAiImages;
using Easel.Engines.Upstream.SdWebui;
using Easel.Engines.Upstream.Unified;

namespace Easel.Engines.Upstream;

/// <summary>
/// Easel:Engines read into engines: each entry checked (a problem names its entry and says what to write instead),
/// its descriptor for routing, and, for an upstream, how to make its protocol once the outbound client exists.
/// </summary>
public static class EngineSetup
{
    public const string Local = "local";
    public const string Passthrough = "passthrough";

    private const string Types = "local, passthrough, unified, classic, openai-images, sd-webui, midjourney-proxy, comfyui, cog";


    /// <summary>What a protocol is built with: the guarded outbound client, and the process's synchronous calls.</summary>
    public sealed record UpstreamServices(IOutboundClient Outbound, SyncCalls Calls);

    /// <summary>One checked entry: its descriptor, and for an upstream the factory of its protocol.</summary>
    public sealed record ConfiguredEngine(EngineDescriptor Descriptor, EngineOptions Options, Func<UpstreamServices, IUpstreamProtocol>? Protocol);

    /// <summary>Every entry checked; the problems of all of them, or the engines.</summary>
    public static (IReadOnlyList<ConfiguredEngine> Engines, IReadOnlyList<string> Problems) Read(IReadOnlyDictionary<string, EngineOptions> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var engines = new List<ConfiguredEngine>();
        var problems = new List<string>();
        foreach (var (name, options) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var before = problems.Count;
            var engine = ReadOne(name, options, problems);
            if (engine is not null && problems.Count == before)
            {
                engines.Add(engine);
            }
        }
        if (engines.Count(e => e.Protocol is null) > 1)
        {
            problems.Add("Easel:Engines has more than one engine of type local or passthrough; this node runs one engine on its own pixels");
        }
        if (entries.Count > 0 && engines.Count == 0 && problems.Count == 0)
        {
            problems.Add("Easel:Engines is present but configures no engine");
        }
        return (engines, problems);
    }

    private static ConfiguredEngine? ReadOne(string name, EngineOptions options, List<string> problems)
    {
        var where = $"Easel:Engines:{name}";
        void Problem(string text) => problems.Add($"{where}: {text}");

        if (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            Problem("an engine's name is 1-64 letters, digits, '-' or '_'");
        }
        var type = options.Type?.Trim().ToLowerInvariant();
        var baseDescriptor = type switch
        {
            Local => global::Easel.Engines.Local.LocalEngine.Descriptor,
            Passthrough => global::Easel.Engines.Passthrough.PassthroughEngine.Descriptor,
            UnifiedProtocol.Type or ClassicProtocol.Type => new EngineDescriptor(name, UpstreamCapabilities, FollowsPrompts: true),
            OpenAiImagesProtocol.Type => new EngineDescriptor(name, OpenAiImagesProtocol.Capabilities, FollowsPrompts: true),
            SdWebuiProtocol.Type => new EngineDescriptor(name, SdWebuiProtocol.Capabilities, FollowsPrompts: true),
            MidjourneyProxyProtocol.Type => new EngineDescriptor(name, MidjourneyProxyProtocol.Capabilities, FollowsPrompts: true),
            ComfyUiProtocol.Type => new EngineDescriptor(name, ComfyUiProtocol.AllCapabilities, FollowsPrompts: true),
            // What its Options:Inputs map; read below, with the other settings.
            CogProtocol.Type => new EngineDescriptor(name, CogSettings.Operations.Values.Select(o => o.Capability).ToHashSet(), FollowsPrompts: true),
            _ => null,
        };
        if (baseDescriptor is null)
        {
            Problem(type is null or "" ? $"Type is missing; it is one of {Types}"
                : $"Type '{options.Type}' is unknown; the types are {Types}");
            return null;
        }
        var upstream = type is not (Local or Passthrough);
        if (upstream)
        {
            if (options.BaseUrl is not { IsAbsoluteUri: true } url || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
                || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.UserInfo))
            {
                Problem("BaseUrl must be an absolute http or https URL without query or user info, e.g. https://api.evolink.ai");
            }
            if (type == SdWebuiProtocol.Type)
            {
                // A1111 asks for credentials only when started with --api-auth user:password; the key is that pair.
                if (options.ApiKey is { Length: > 0 } pair && (pair.IndexOf(':', StringComparison.Ordinal) is <= 0 || pair.Any(char.IsControl)))
                {
                    Problem("ApiKey of an sd-webui engine is user:password as given to --api-auth (or absent when the server has no --api-auth)");
                }
            }
            else if (type is ComfyUiProtocol.Type or CogProtocol.Type)
            {
                // Neither server has authentication; a key is for a reverse proxy in front of it, sent as a bearer token.
                if (options.ApiKey is { Length: > 0 } key && key.Any(char.IsControl))
                {
                    Problem($"ApiKey of a {type} engine is the bearer token of the proxy in front of it (or absent)");
                }
            }
            else if (string.IsNullOrWhiteSpace(options.ApiKey))
            {
                Problem("ApiKey is missing (set it in configuration or as Easel__Engines__" + name + "__ApiKey)");
            }
        }
        else if (options.BaseUrl is not null)
        {
            Problem($"BaseUrl is for upstream engines; a {type} engine has none");
        }

        if (options.Workflows is not null && type != ComfyUiProtocol.Type)
        {
            Problem($"Workflows is for comfyui engines; a {type} engine has none");
        }
        var comfyUi = type == ComfyUiProtocol.Type
            ? ComfyUiSettings.Read(options.Workflows, options.Options, bool.TryParse(options.Options.GetValueOrDefault("ResubmitAfterCrash", "true"), out var again) && again, Problem)
            : null;

        var cog = type == CogProtocol.Type ? CogSettings.Read(options.Options, Problem) : null;

        // Read here, before the capabilities: a novicezk proxy serves fewer operations than a trueai one.
        var proxy = type == MidjourneyProxyProtocol.Type
            ? MidjourneyProxySettings.Read(options.Options, Problem)
            : null;

        var capabilities = comfyUi?.Capabilities ?? cog?.Capabilities ?? proxy?.Capabilities ?? baseDescriptor.Capabilities;
        if (options.Operations is { } operations)
        {
            var chosen = new HashSet<EngineCapability>();
            foreach (var operation in operations)
            {
                var entry = ModelCatalog.All.FirstOrDefault(m => string.Equals(m.Operation, operation?.Trim(), StringComparison.OrdinalIgnoreCase));
                if (entry is null)
                {
                    Problem($"Operations names '{operation}', which is not an operation; they are {string.Join(", ", ModelCatalog.All.Select(m => m.Operation))}");
                    continue;
                }
                var served = entry.Capabilities.Where(capabilities.Contains).ToList();
                if (served.Count == 0)
                {
                    Problem($"Operations names '{entry.Operation}', which a {type} engine{(proxy is { Flavour: MidjourneyProxyFlavour.Novicezk } ? " of the novicezk flavour" : "")} cannot serve");
                }
                chosen.UnionWith(served);
            }
            capabilities = chosen;
        }
        if (options.Priority is < 0)
        {
            Problem("Priority must not be negative (lower is tried first)");
        }
        if (options.MaxInFlight is < 1)
        {
            Problem("MaxInFlight must be at least 1");
        }
        if (options.TaskTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            Problem("TaskTimeout must be positive, e.g. 00:20:00");
        }
        if (options.RequestTimeout <= TimeSpan.Zero || options.PollInterval <= TimeSpan.Zero || options.SlowPollInterval <= TimeSpan.Zero)
        {
            Problem("RequestTimeout, PollInterval and SlowPollInterval must be positive");
        }
        var envelope = options.Options.GetValueOrDefault("Envelope", "flat").ToLowerInvariant();
        if (envelope is not ("flat" or "input"))
        {
            Problem($"Options:Envelope is '{envelope}'; it is flat (the seeds' bodies) or input (input[0].params)");
        }
        var resubmit = options.Options.GetValueOrDefault("ResubmitAfterCrash", "true");
        if (!bool.TryParse(resubmit, out var resubmits))
        {
            Problem($"Options:ResubmitAfterCrash is '{resubmit}'; it is true or false");
        }

        var openAi = type == OpenAiImagesProtocol.Type
            ? OpenAiImagesSettings.Read(options.Options, options.TaskTimeout ?? DefaultTaskTimeout, Problem)
            : null;

        var sdWebui = type == SdWebuiProtocol.Type
            ? SdWebuiSettings.Read(options.Options, options.TaskTimeout ?? DefaultTaskTimeout, Problem)
            : null;

        var descriptor = baseDescriptor with
        {
            Name = name,
            Capabilities = capabilities,
            Type = type!,
            IsUpstream = upstream,
            Priority = options.Priority ?? (upstream ? EngineDescriptor.UpstreamPriority : EngineDescriptor.LocalPriority),
            MaxInFlight = options.MaxInFlight ?? (upstream ? 64 : int.MaxValue),
            TaskTimeout = options.TaskTimeout ?? DefaultTaskTimeout,
            // The Midjourney family names a source by the upstream's own job id: its chains stay on the engine that made them.
            // The OpenAI Images API, A1111, ComfyUI and cog models take the source image itself, so any engine's result can be their input.
            ChainsByJobId = upstream && openAi is null && sdWebui is null && comfyUi is null && cog is null,
        };
        if (!upstream)
        {
            return new ConfiguredEngine(descriptor, options, null);
        }
        var baseUrl = options.BaseUrl is { } b && b.AbsoluteUri.EndsWith('/') ? b : new Uri((options.BaseUrl?.AbsoluteUri ?? "http://invalid") + "/");
        var credentials = new Dictionary<string, string>();
        if (proxy is not null)
        {
            // The proxies' own header (TI also reads a bare Authorization token, NZ only this one).
            credentials["mj-api-secret"] = options.ApiKey!;
        }
        else if (comfyUi is not null || cog is not null)
        {
            // Neither has authentication of its own: a key is for a reverse proxy in front, sent as a bearer token.
            if (options.ApiKey is { Length: > 0 } token)
            {
                credentials["Authorization"] = "Bearer " + token;
            }
        }
        else if (sdWebui is null)
        {
            credentials["Authorization"] = "Bearer " + options.ApiKey;
        }
        else if (options.ApiKey is { Length: > 0 } pair)
        {
            credentials["Authorization"] = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(pair));
        }
        UpstreamHttp Http(UpstreamServices s) => new(s.Outbound, baseUrl, credentials, options.RequestTimeout);
        Func<UpstreamServices, IUpstreamProtocol> protocol = type switch
        {
            UnifiedProtocol.Type => s => new UnifiedProtocol(Http(s)),
            OpenAiImagesProtocol.Type => s => new OpenAiImagesProtocol(Http(s),
                openAi!, s.Calls),
            SdWebuiProtocol.Type => s => new SdWebuiProtocol(Http(s),
                sdWebui!, s.Calls),
            // One engine type, two proxies: the flavour picks which of them is spoken.
            MidjourneyProxyProtocol.Type when proxy!.Flavour == MidjourneyProxyFlavour.Novicezk =>
                s => new NovicezkProtocol(Http(s)),
            MidjourneyProxyProtocol.Type => s => new MidjourneyProxyProtocol(Http(s), proxy!),
            ComfyUiProtocol.Type => s => new ComfyUiProtocol(Http(s), comfyUi!),
            CogProtocol.Type => s => new CogProtocol(Http(s), cog!),
            _ => s => new ClassicProtocol(Http(s), envelope == "input", resubmits),
        };
        return new ConfiguredEngine(descriptor, options, protocol);
    }

    private static readonly TimeSpan DefaultTaskTimeout = TimeSpan.FromMinutes(20);

    /// <summary>The whole Midjourney family: what the unified and classic dialects can ask for.</summary>
    private static readonly IReadOnlySet<EngineCapability> UpstreamCapabilities = Enum.GetValues<EngineCapability>().ToHashSet();
}
