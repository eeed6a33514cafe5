namespace Easel.Imaging.Synthesis;

// The knobs of the patch synthesis. Defaults are what PatchMatchFiller ships with; tests and the quality
// harness switch single terms off to show what each one contributes.
internal sealed record SynthesisOptions
{
    public static SynthesisOptions Default { get; } = new();

    // 7x7 patches at the finest level carry texture; 5x5 at coarse levels, where a pixel is already a region.
    public int FinePatchSize { get; init; } = 7;

    public int CoarsePatchSize { get; init; } = 5;

    // The pyramid stops once the hole is at most this many coarse pixels deep (or the image gets small).
    public float CoarsestDepth { get; init; } = 5f;

    public int MinimumLevelSide { get; init; } = 24;

    public int MaxLevels { get; init; } = 7;

    // EM iterations: many where pixels are few and structure is decided, few where they are many.
    public int CoarseIterations { get; init; } = 6;

    public int MiddleIterations { get; init; } = 2;

    // At the finest level the doubled field of the level below is voted once with full-resolution patches and not
    // searched again: the harness shows no loss from skipping that search (same SSIM, HF ratio and seam error on
    // every mask kind) and it is about 40% of a 1024x1024 fill's time.
    public int FineIterations { get; init; }

    // Random search at the finest two levels only refines the upsampled field locally.
    public int FineSearchRadius { get; init; } = 8;

    public int MiddleSearchRadius { get; init; } = 24;

    // Bidirectional similarity: known patches within this many pixels of the hole vote for their best target.
    public int CompletenessBand { get; init; } = 8;

    public float CompletenessWeight { get; init; } = 0.5f;

    // Cost of copying a source patch that another target already uses, in units of the mean patch cost.
    public float ReuseWeight { get; init; } = 0.25f;

    // Outpainting: pull of the smooth low-frequency guide on patches deep in a border hole.
    public float GuideStrength { get; init; } = 0.6f;

    public bool PoissonBlend { get; init; } = true;

    public float Screening { get; init; } = 0.05f;

    public int PoissonIterations { get; init; } = 30;

    // Holes no deeper than this (strokes up to about twice as wide) take the single-level path.
    public float ThinDepth { get; init; } = 4f;

    public int ThinIterations { get; init; } = 2;

    // The thin path starts from fast marching, which is already close: a local search plus one random jump per
    // patch and pass finds the texture's matches without scanning the whole image.
    public int ThinSearchRadius { get; init; } = 32;

    // Called as each (level, iteration) begins, iteration -1 being the level's start; tests cancel from here to
    // prove every level and iteration honours the token.
    public Action<int, int>? Progress { get; init; }
}
