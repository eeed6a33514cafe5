namespace Easel.Imaging.Geometry;

// The knobs of the 2x upscaler. Defaults are what Upscaler ships with; the upscale bench changes single terms
// (`--set Iterations=0` is plain Lanczos-3 through the same code) to show what each contributes.
internal sealed record UpscaleOptions
{
    public static UpscaleOptions Default { get; } = new();

    // Back-projection rounds over the Lanczos-3 start; each costs one 2x downscale and one 2x upscale. On the tuning
    // photos more rounds sharpen hard edges further but lose on fine texture (5 rounds: +0.2 dB on the first,
    // -0.06 to -0.1 dB on the second); 3 is the balance (docs/PERFORMANCE.md, "Upscaling").
    public int Iterations { get; init; } = 3;

    // Step of each round: the fraction of the back-projected error added to the estimate.
    public float Step { get; init; } = 1f;

    // The assumed degradation (how a large image became the small one), applied as a widened 2:1 filter: Lanczos-3,
    // Easel's own downscale. Judged per tuning photo (not by their mean, which one photo of hard edges dominates),
    // Catmull-Rom or a box gain more on box-halved photos but lose on textures halved by Lanczos.
    public ResampleFilter Model { get; init; } = ResampleFilter.Lanczos3;

    // A box model instead (each small pixel the mean of a 2x2 block), as a camera's sensor or a plain average makes.
    public bool BoxModel { get; init; }

    // The kernel that spreads the low-resolution error back over the estimate.
    public ResampleFilter BackProjection { get; init; } = ResampleFilter.Lanczos3;

    // Ringing limiter: every output pixel is kept within the range of the nearest source pixels (2x2 when
    // ClampReach is 0, 4x4 when 1) widened by ClampSlack of that range plus ClampMargin levels; what lies
    // beyond is scaled by OvershootKept (0 = cut). ClampReach < 0 turns the limiter off.
    public int ClampReach { get; init; }

    // A slack of 0.1 of the 2x2 range leaves texture (wide ranges) room, and halos beside an edge over flat ground
    // (narrow ranges) none: on the tuning photos of fine texture +0.25 dB, on those of hard edges -0.3 to -0.4 dB.
    public float ClampSlack { get; init; } = 0.1f;

    public float ClampMargin { get; init; }

    public float OvershootKept { get; init; }

    // Clamp before every round too (alternating projections onto both constraints, consistency with the source and
    // the local range), not only at the end: the rounds then restore detail without rebuilding the halos.
    public bool ClampEachRound { get; init; } = true;
}
