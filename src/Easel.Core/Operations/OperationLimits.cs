namespace Easel.Core.Operations;

/// <summary>Every limit of a create request, in one place, read by both dialects (API.md sections 3, 4, 6).</summary>
public static class OperationLimits
{
    public const int PromptMinLength = 1;
    public const int PromptMaxLength = 8192;

    public const int CanvasMinSide = 1;
    public const int CanvasMaxSide = 4096;
    /// <summary>16 megapixels read as 16 x 2^20, the area of a 4096 x 4096 canvas.</summary>
    public const long CanvasMaxPixels = 16L * 1024 * 1024;

    public const int PlacementMinSide = 1;
    public const int PlacementMaxSide = 8192;
    /// <summary>Offsets beyond this cannot overlap any canvas; the bound keeps arithmetic far from overflow.</summary>
    public const int PlacementMaxOffset = 1_000_000;

    public const int ImageCount = 4;
    public const int ImageNumberMax = ImageCount - 1;

    public const int MaskMaxAreas = 64;
    public const int MaskAreaMinSide = 1;
    public const int MaskAreaMaxSide = 8192;
    /// <summary>Inpaint frames, from the classic inpaint seed (500-4096), applied to both dialects.</summary>
    public const int InpaintAreaMinSide = 500;
    public const int InpaintAreaMaxSide = 4096;
    public const int MaskMinPointValues = 6;
    public const int MaskMaxPointValues = 8192;
    public const int MaskMaxCoordinate = 1_000_000;

    /// <summary>What an absent optional field means (constants so the OpenAPI documents state the same defaults).</summary>
    public const Speed DefaultSpeed = Speed.Fast;
    public const RemixMode DefaultRemixMode = RemixMode.Strong;
    public const OutputFormat DefaultOutputFormat = OutputFormat.Png;
    public const int DefaultImageNumber = 0;

    /// <summary>Outpaint's zoom and pan's extension (API.md section 9, the vendors' ranges).</summary>
    public const decimal OutpaintScaleMin = 1.1m;
    public const decimal OutpaintScaleMax = 2.0m;
    public const decimal PanScaleMin = 1.1m;
    public const decimal PanScaleMax = 3.0m;

    public const int CallbackUrlMaxLength = 2048;
    public const int ClassicImageUrlMaxLength = 1024;
    public const int UnifiedImageUrlMaxLength = 2048;
}
