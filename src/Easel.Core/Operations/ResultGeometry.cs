namespace Easel.Core.Operations;

/// <summary>
/// The size of what an operation makes from a source of a given size, where it differs from the source's (API.md
/// section 9). Checked at create against the canvas limits of section 6, and followed by the engines, so the size a
/// create accepted is the size the results have.
/// </summary>
public static class ResultGeometry
{
    /// <summary>Whether the operation's results have another size than its source (so the source's size must be known at create).</summary>
    public static bool ChangesSize(Operation operation) => operation is Upscale or Outpaint or Pan;

    public static CanvasSize SizeOf(Operation operation, int sourceWidth, int sourceHeight) => operation switch
    {
        Upscale u => new CanvasSize(sourceWidth * u.Factor, sourceHeight * u.Factor),
        Outpaint o => new CanvasSize(Scaled(sourceWidth, o.Scale), Scaled(sourceHeight, o.Scale)),
        Pan { Direction: PanDirection.Left or PanDirection.Right } p => new CanvasSize(Scaled(sourceWidth, p.Scale), sourceHeight),
        Pan p => new CanvasSize(sourceWidth, Scaled(sourceHeight, p.Scale)),
        _ => new CanvasSize(sourceWidth, sourceHeight),
    };

    /// <summary>The limit a result of this size breaks, or null when it is within the canvas limits.</summary>
    public static string? LimitBroken(CanvasSize size)
    {
        ArgumentNullException.ThrowIfNull(size);
        if (size.Width > OperationLimits.CanvasMaxSide || size.Height > OperationLimits.CanvasMaxSide)
        {
            return $"the result would be {size.Width}x{size.Height}, over {OperationLimits.CanvasMaxSide} pixels a side";
        }
        return (long)size.Width * size.Height > OperationLimits.CanvasMaxPixels
            ? $"the result would be {size.Width}x{size.Height}, over {OperationLimits.CanvasMaxPixels} pixels (16 megapixels)"
            : null;
    }

    /// <summary>The field whose value decides the result's size (what a refusal names).</summary>
    public static RequestField FieldOf(Operation operation) => operation is Upscale ? RequestField.Type : RequestField.Scale;

    private static int Scaled(int side, decimal scale) => (int)Math.Round(side * scale, MidpointRounding.AwayFromZero);
}
