namespace Easel.Imaging.Geometry;

// The knobs of the 2x upscaler. Defaults are what Upscaler ships with; the upscale bench changes single terms
// (`--set Iterations=0` is plain Lanczos-3 through the same code) to show what each contributes.
internal sealed record UpscaleOptions
{
    public static UpscaleOptions Default { get; } = new();

    // Back-projection rounds over the Lanczos-3 start; each costs one 2x downscale and one 2x upscale. On the tuning
    // photos, clamping every round, 3 rounds are best (2: -0.1 dB, 5 and 8: lower on box-halved photos).
    public int Iterations { get; init; } = 3;

    // Step of each round: the fraction of the back-projected error added to the estimate.
    public float Step { get; init; } = 1f;

    // The assumed degradation (how a large image became the small one), applied as a widened 2:1 filter. Catmull-Rom
    // lies between the two degradations the bench tries: on the tuning photos it beats the exact model of either
    // over both (Lanczos-3 model: +0.85 dB on Lanczos-halved photos but +0.38 on box-halved; box model: +0.74 / +0.84;
    // Catmull-Rom: +1.02 / +0.79), so it is the safer guess for an image of unknown history.
    public ResampleFilter Model { get; init; } = ResampleFilter.Bicubic;

    // A box model instead (each small pixel the mean of a 2x2 block), as a camera's sensor or a plain average makes.
    public bool BoxModel { get; init; }

    // The kernel that spreads the low-resolution error back over the estimate.
    public ResampleFilter BackProjection { get; init; } = ResampleFilter.Lanczos3;

    // Ringing limiter: every output pixel is kept within the range of the nearest source pixels (2x2 when
    // ClampReach is 0, 4x4 when 1) widened by ClampSlack of that range plus ClampMargin levels; what lies
    // beyond is scaled by OvershootKept (0 = cut). ClampReach < 0 turns the limiter off.
    public int ClampReach { get; init; }

    public float ClampSlack { get; init; }

    public float ClampMargin { get; init; }

    public float OvershootKept { get; init; }

    // Clamp after every round too (alternating projections onto both constraints, consistency with the source and
    // the local range), not only at the end: on the tuning photos +0.1 dB on Lanczos-halved, +0.35 dB on box-halved.
    public bool ClampEachRound { get; init; } = true;
}
