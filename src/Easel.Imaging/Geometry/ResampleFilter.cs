namespace Easel.Imaging;

/// <summary>Reconstruction filters for <see cref="Resampler"/>.</summary>
public enum ResampleFilter
{
    /// <summary>Windowed sinc with 3 lobes: sharpest, slight ringing.</summary>
    Lanczos3,

    /// <summary>Catmull-Rom cubic (B = 0, C = 0.5): interpolating, so an identity resize is exact.</summary>
    Bicubic,

    /// <summary>Triangle filter; for downscaling it is an area-weighted average.</summary>
    Bilinear,
}
