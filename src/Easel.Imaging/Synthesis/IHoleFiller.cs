namespace Easel.Imaging;

/// <summary>A content-aware fill: the swappable strategy behind inpainting.</summary>
public interface IHoleFiller
{
    /// <summary>
    /// Returns a new image in which pixels where <paramref name="hole"/> is above zero are synthesised from the rest;
    /// all other pixels are copied unchanged. Deterministic for a given seed; different seeds give visibly different fills.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    RgbaImage Fill(RgbaImage image, AlphaMask hole, int seed, CancellationToken cancellationToken);
}
