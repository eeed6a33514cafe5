using Easel.Core.Operations;

namespace Easel.Engines.Upstream.MidjourneyProxy;

/// <summary>What to do on the proxy for a secondary operation, read from its source task's buttons.</summary>
internal abstract record MjPlan
{
    /// <summary>Press the button; <paramref name="Remix"/> asks for the modal (enableRemix), which carries the new prompt.</summary>
    public sealed record Press(string CustomId, bool Remix, bool? Strong) : MjPlan;

    /// <summary>The button lives on the upscale of a grid image: press U n first, and the button on its result when it is done.</summary>
    public sealed record UpscaleFirst(string UpscaleCustomId) : MjPlan;

    public sealed record Refuse(string Message) : MjPlan;
}

/// <summary>
/// Easel's secondary operations as midjourney-proxy buttons (UPSTREAMS.md section 1.1, customId table): the customId is
/// never built, always taken from the source task's <c>buttons</c>, since it carries Discord's message hash. A grid (an
/// imagine, variation, pan, zoom or vary region result) has U1-U4, V1-V4 and reroll; the upscale of one image has the
/// rest (Upscale Subtle/Creative, Vary Subtle/Strong/Region, Zoom Out, pan). An operation whose button is on an upscale
/// but whose source is a grid image presses U n first (a two-step job, <see cref="MjStage.UpscaleFirst"/>).
/// Reroll is not used: it renders the grid's prompt again and ignores the image, while Easel's remix names one; remix is
/// the V button (or Vary) with remix on, whose modal carries the new prompt, as Midjourney's remix mode does it.
/// </summary>
internal static class MjButtons
{
    public static bool IsGrid(IReadOnlyList<string> customIds) => customIds.Any(c => c.StartsWith("MJ::JOB::upsample::", StringComparison.Ordinal));

    public static MjPlan Plan(Operation operation, IReadOnlyList<string> customIds, int imageNumber)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(customIds);
        if (IsGrid(customIds))
        {
            var n = imageNumber + 1;
            var upscale = Find(customIds, $"MJ::JOB::upsample::{n}::");
            MjPlan First() => upscale is null ? Missing($"U{n}", customIds) : new MjPlan.UpscaleFirst(upscale);
            return operation switch
            {
                Upscale { Type: UpscaleType.Standard } => upscale is null ? Missing($"U{n}", customIds) : new MjPlan.Press(upscale, false, null),
                Variation v => Pressed(Find(customIds, $"MJ::JOB::variation::{n}::"), $"V{n}", customIds, false, v.Type == VariationType.Strong),
                Remix r => Pressed(Find(customIds, $"MJ::JOB::variation::{n}::"), $"V{n}", customIds, true, r.Mode == RemixMode.Strong),
                Upscale or Pan or Outpaint or Inpaint => First(),
                _ => new MjPlan.Refuse($"{operation.Kind} is not an operation the midjourney-proxy engine serves"),
            };
        }
        if (imageNumber != 0)
        {
            return new MjPlan.Refuse($"the source is an upscale, which has one image (image_number 0), not image {imageNumber}");
        }
        return operation switch
        {
            Upscale { Type: UpscaleType.Standard } => Pressed(Find(customIds, "MJ::JOB::upsample_", "_subtle::") ?? Find(customIds, "MJ::JOB::upsample_v5_2x::"),
                "Upscale (Subtle)", customIds, false, null),
            Upscale { Type: UpscaleType.Creative } => Pressed(Find(customIds, "MJ::JOB::upsample_", "_creative::"), "Upscale (Creative)", customIds, false, null),
            Upscale { Type: UpscaleType.TwoTimes } => Pressed(Find(customIds, "MJ::JOB::upsample_v5_2x::"), "Upscale (2x)", customIds, false, null),
            Upscale => Pressed(Find(customIds, "MJ::JOB::upsample_v5_4x::"), "Upscale (4x)", customIds, false, null),
            Variation v => Vary(customIds, v.Type == VariationType.Strong, remix: false),
            Remix r => Vary(customIds, r.Mode == RemixMode.Strong, remix: true),
            Pan p => Pressed(Find(customIds, $"MJ::JOB::pan_{WireValues.Direction(p.Direction)}::"), $"pan {WireValues.Direction(p.Direction)}", customIds, false, null),
            // Midjourney zooms out 2x or 1.5x (and a custom zoom through a modal): the nearer of the two to the scale asked.
            Outpaint o => o.Scale >= 1.75m
                ? Pressed(Find(customIds, "MJ::Outpaint::50::"), "Zoom Out 2x", customIds, false, null)
                : Pressed(Find(customIds, "MJ::Outpaint::75::"), "Zoom Out 1.5x", customIds, false, null),
            Inpaint => Pressed(Find(customIds, "MJ::Inpaint::"), "Vary (Region)", customIds, false, null),
            _ => new MjPlan.Refuse($"{operation.Kind} is not an operation the midjourney-proxy engine serves"),
        };
    }

    /// <summary>Whether pressing the plan's button makes a MODAL task (code 21) that waits for /submit/modal.</summary>
    public static bool OpensModal(Operation operation) => operation is Inpaint or Remix;

    private static MjPlan Vary(IReadOnlyList<string> customIds, bool strong, bool remix) => strong
        ? Pressed(Find(customIds, "MJ::JOB::high_variation::"), "Vary (Strong)", customIds, remix, null)
        : Pressed(Find(customIds, "MJ::JOB::low_variation::"), "Vary (Subtle)", customIds, remix, null);

    private static MjPlan Pressed(string? customId, string label, IReadOnlyList<string> customIds, bool remix, bool? strong) =>
        customId is null ? Missing(label, customIds) : new MjPlan.Press(customId, remix, strong);

    private static MjPlan.Refuse Missing(string label, IReadOnlyList<string> customIds) =>
        new($"the source task on the proxy has no {label} button (it has {(customIds.Count == 0 ? "none" : string.Join(", ", customIds.Take(20).Select(Short)))})");

    private static string Short(string customId) => string.Join("::", customId.Split("::").Take(3));

    private static string? Find(IReadOnlyList<string> customIds, string prefix, string? contains = null) =>
        customIds.FirstOrDefault(c => c.StartsWith(prefix, StringComparison.Ordinal) && (contains is null || c.Contains(contains, StringComparison.Ordinal)));
}
