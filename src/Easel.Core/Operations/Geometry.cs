using System.Text.Json.Serialization;

namespace Easel.Core.Operations;

public sealed record CanvasSize(int Width, int Height);

/// <summary>The source image scaled to Width x Height with its top-left at (X, Y) in canvas pixels.</summary>
public sealed record Placement(int Width, int Height, int X, int Y)
{
    public bool Overlaps(CanvasSize canvas) =>
        (long)X < canvas.Width && (long)X + Width > 0 && (long)Y < canvas.Height && (long)Y + Height > 0;
}

/// <summary>Polygons drawn in a frame of Width x Height, scaled onto the target; points are x1,y1,x2,y2,...</summary>
public sealed record MaskArea(int Width, int Height, int[] Points);

[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(PolygonMask), "areas")]
[JsonDerivedType(typeof(ImageMask), "image")]
public abstract record MaskSpec;

public sealed record PolygonMask(IReadOnlyList<MaskArea> Areas) : MaskSpec;

/// <summary>A mask image: white repaints, black keeps, luminance is a soft mask.</summary>
public sealed record ImageMask(ImageRef Image) : MaskSpec;

/// <summary>
/// Where an input image lives: an outside URL fetched through the guarded client, or one of Easel's own
/// stored files (uploads and results), read from storage rather than over HTTP.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(ExternalImage), "url")]
[JsonDerivedType(typeof(StoredImage), "stored")]
public abstract record ImageRef;

public sealed record ExternalImage(string Url) : ImageRef;

public sealed record StoredImage(string BlobKey) : ImageRef;
