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

    // Where patches may come from: within this many full-resolution pixels of the hole, or this many times the
    // hole's depth if that is more (0 = anywhere). Like the default sampling area of Photoshop's Content-Aware
    // Fill: nearby content is the likely content, and SSD otherwise favours the blurred background of a photo,
    // whose smooth patches match anything. It also keeps the work near the hole, not over the whole image.
    public int SourceReach { get; init; } = 64;

    public float SourceReachPerDepth { get; init; } = 3f;

    // Bidirectional similarity: known patches within this many pixels of the hole vote for their best target.
    public int CompletenessBand { get; init; } = 8;

    public float CompletenessWeight { get; init; } = 0.5f;

    // Cost of copying a source patch that another target already uses, in units of the mean patch cost.
    public float ReuseWeight { get; init; } = 0.25f;

    // Outpainting: pull of the smooth low-frequency guide on patches deep in a border hole.
    public float GuideStrength { get; init; } = 0.6f;

    // Wexler et al.'s confidence: a patch's vote is divided by this per pixel of depth of its centre into the
    // hole, so patches anchored in known pixels decide the hole's rim (1 = off). Steep since the anchored
    // patches are re-aligned at full resolution (AnchorPasses): on the photos 3 against 1.3 lowers the seam error
    // and raises the high-frequency ratio (fewer deep, disagreeing patches averaged into the rim).
    public float BoundaryConfidence { get; init; } = 3f;

    // PatchMatch passes at the finest level over the patches straddling the hole's border, matched on their known
    // pixels only (PatchSynthesizer.AnchorPass). The finest field is otherwise the doubled coarser one, which
    // does not line texture up to the pixel at the border: on the photos the seam error drops by a quarter.
    public int AnchorPasses { get; init; } = 2;

    // The confidence stops falling at this value: deeper, every patch is equally far from the known pixels, and
    // a confidence sunk beneath the weights' floor would turn the similarity weighting into a plain (blurring) mean.
    public float MinimumConfidence { get; init; } = 0.02f;

    // The finest vote raises each patch's weight to this power: above 1 the best-matching patch dominates each
    // pixel (1 = off; the footprint below does more for less).
    public float FinalVoteSharpness { get; init; } = 1f;

    // The finest vote of a patch centred deeper than FinalVoteFullDepth in the hole covers only the pixels within
    // FinalVoteFootprint of its centre (3x3), not its whole 7x7 patch (-1 = whole patch everywhere). 49 disagreeing
    // votes averaged are a blur (the photos' high-frequency ratio was 0.5); 9 keep the texture (0.8), and the
    // rim, where the full votes of the anchored patches continue the image, keeps them all. Used only when
    // FinalVoteGaussian is 0.
    public int FinalVoteFootprint { get; init; } = 1;

    public float FinalVoteFullDepth { get; init; } = 3f;


    // The threshold of texture energy (FeaturePlane.Texture of the copied patch) below which a deep patch counts as
    // smooth (0 = none does). With the hard footprint alone it gated the 3x3 vote (measured at 1 and 2: it lowered
    // the photos' high-frequency ratio below 0.7); with the Gaussian vote below it picks the wide kernel.
    public float FinalVoteFootprintTexture { get; init; } = 1f;

    // The finest vote of a patch centred deeper than FinalVoteFullDepth, when above 0, replaces the hard footprint:
    // each pixel of the patch (within 1.5 sigma of its centre) is weighted by exp(-d^2 / 2 sigma^2) of its distance
    // d from the centre, times the patch's similarity weight. Narrow (0.5: the centre plus neighbours at 0.14) for
    // textured copies, so texture is not averaged away; wide (2, the whole 7x7) for smooth copies, where
    // neighbouring copies differ in colour, not texture, and narrow votes show their steps as false detail (the
    // procedural gradient's ratio was 4-20). Against the 3x3 footprint, on the photos the medium and thick
    // high-frequency ratios (median and pooled) rise from 0.5 towards 0.7-0.75, and on the procedural images the
    // mean falls from 2.0/3.2 to 1.7/2.1, SSIM and seam error unchanged (docs/PERFORMANCE.md).
    // 0.45 since the smooth-seam blend (below) took the false detail out of smooth copies: against 0.5, the photos'
    // thick pooled ratio rises from 0.66 to 0.71-0.73 and every median and pooled ratio of the procedural set stays
    // in the band (docs/PERFORMANCE.md). The kernel still reaches one pixel, so the cost is the same.
    public float FinalVoteGaussian { get; init; } = 0.45f;

    public float FinalVoteGaussianSmooth { get; init; } = 2f;

    // Weight of the texture-energy feature (FeaturePlane.Texture) against colour; 0 = off. (The texture thresholds
    // above are in units of this weight.) 6 since session 3: at 1, colour alone let patches of in-focus texture match
    // an out-of-focus area of the same tone (a photo's bokeh filled with dandelion fluff, its ratio 16-19), and thick
    // holes in photos came out a little smoother than their surroundings. Against 1 (sweep 1, 2, 4, 6, 8): photos'
    // thick HF ratio (mean / median / pooled) 1.72 / 0.75 / 0.71 -> 1.14 / 0.93 / 0.77 (seeds 1) and 1.27 / 0.64 /
    // 0.73 -> 1.00 / 0.81 / 0.81 (seeds 2), procedural thick PSNR +1.8 dB, seam error +5% (still half the baseline's).
    public float TextureWeight { get; init; } = 6f;

    public bool PoissonBlend { get; init; } = true;

    // The blend follows no gradient between neighbouring hole pixels both copied from smooth content (texture
    // energy of the copied patch below this; 0 = off), and screens them by SmoothSeamScreening instead (below 0:
    // Screening): see ScreenedPoisson.Blend. Copies of a smooth tone taken from different places meet in steps that
    // no vote removes (the procedural gradient's high-frequency ratio was 4-10, its seams visible); followed by a
    // membrane instead, the steps melt: on the procedural set the HF mean goes from 1.71/2.14 to 1.32/1.42 (medium/
    // thick) and PSNR in the hole +1.2/+0.2 dB, on the photos PSNR +0.5/+0.2 dB and SSIM outer 8 px +0.006/+0.010,
    // seam error unchanged (docs/PERFORMANCE.md).
    public float SmoothSeamTexture { get; init; } = 1f;

    // 0.00001 (a membrane reaching about 300 px, wider than any hole) since the blend is solved by multigrid: with
    // sweeps it was 0.001 (about 30 px), as far as 40 sweeps converged. Against 0.001 now, the procedural gradient's
    // high-frequency ratio falls from 1.3-2.2 to 1.1-1.3 and PSNR in the procedural holes rises 1.5-2 dB.
    public float SmoothSeamScreening { get; init; } = 0.00001f;

    public float Screening { get; init; } = 0.01f;

    // Conjugate-gradient iterations of the blend (each preconditioned by one multigrid V-cycle): eight take the
    // error of a membrane across a 150 px hole below a tenth of a level (GridMultigridTests); twelve change no score.
    public int PoissonIterations { get; init; } = 8;

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
