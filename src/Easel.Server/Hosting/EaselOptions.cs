using System.ComponentModel.DataAnnotations;
using Easel.Core.Accounts;
using Easel.Core.Callbacks;
using Easel.Core.Outbound;
using Easel.Core.Pricing;
using Easel.Core.Tasks;

namespace Easel.Server.Hosting;

/// <summary>The section "Easel" of configuration; environment variables read Easel__DataDirectory and so on.</summary>
public sealed class EaselOptions
{
    public const string Section = "Easel";

    /// <summary>Where the database and files live. Relative paths are relative to the working directory.</summary>
    [Required]
    public string DataDirectory { get; set; } = "./data";

    /// <summary>When set and no key exists yet, the admin key is created with exactly this value.</summary>
    public string? BootstrapKey { get; set; }

    /// <summary>Without an Engines section, the one engine: "local" (pixels on this machine) or "passthrough" (results are the source; for benchmarks).</summary>
    public string Engine { get; set; } = "local";

    /// <summary>Tasks run at once on this node.</summary>
    [Range(1, 256)]
    public int Workers { get; set; } = Environment.ProcessorCount;

    /// <summary>The base of the URLs Easel hands out (results, uploads), e.g. https://easel.example.com. Default: the request's own.</summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>Create requests larger than this are refused with 413 before they are parsed.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>This node's name in task leases; default: kept in the data directory (SQLite), or new at each start (PostgreSQL, whose nodes share that directory).</summary>
    public string? NodeId { get; set; }

    public DatabaseOptions Database { get; set; } = new();

    /// <summary>Where uploads and results live: files under the data directory, or an S3-compatible bucket (API.md section 12).</summary>
    public Storage.Blobs.BlobOptions Blobs { get; set; } = new();

    /// <summary>The engines (API.md section 10), by name; none: the one engine <see cref="Engine"/> names.</summary>
    public Dictionary<string, Engines.Upstream.EngineOptions> Engines { get; set; } = new(StringComparer.Ordinal);

    public OutboundOptions Outbound { get; set; } = new();

    public PricingOptions Pricing { get; set; } = new();

    public TaskRunnerOptions Tasks { get; set; } = new();

    public LimitsOptions Limits { get; set; } = new();

    public CallbackOptions Callbacks { get; set; } = new();

    public Core.Retention.RetentionOptions Retention { get; set; } = new();
}
