using System.Text.Json.Serialization;

namespace Easel.Core.Operations;

// Stored as integers (tasks.kind, operation JSON): new members go at the end, never between.
public enum OperationKind { UploadPaint, Edit, Inpaint, Remix, Imagine, Variation, Upscale, Outpaint, Pan, Enhance, Retexture, RemoveBackground }

/// <summary>Draft is imagine's alone (half price, lower quality upstream); the catalog says which model takes which.</summary>
public enum Speed { Fast, Turbo, Draft }

public enum RemixMode { Strong, Subtle }

public enum VariationType { Subtle, Strong }

/// <summary>Standard and Creative double each side (Creative inventing detail); TwoTimes and FourTimes are classic 2 and 3.</summary>
public enum UpscaleType { Standard, Creative, TwoTimes, FourTimes }

/// <summary>In the classic numbering: 0 down, 1 right, 2 up, 3 left.</summary>
public enum PanDirection { Down, Right, Up, Left }

/// <summary>How the result images are encoded.</summary>
public enum OutputFormat { Png, Jpeg, Webp }

/// <summary>
/// One dialect-free request for its model's images (four, or one; the catalog says). Dialects parse into these; the worker and the engines read them.
/// Immutable: what was accepted at create is what runs, however often the task is retried.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "op")]
[JsonDerivedType(typeof(UploadPaint), "upload_paint")]
[JsonDerivedType(typeof(Edit), "edit")]
[JsonDerivedType(typeof(Inpaint), "inpaint")]
[JsonDerivedType(typeof(Remix), "remix")]
[JsonDerivedType(typeof(Imagine), "imagine")]
[JsonDerivedType(typeof(Variation), "variation")]
[JsonDerivedType(typeof(Upscale), "upscale")]
[JsonDerivedType(typeof(Outpaint), "outpaint")]
[JsonDerivedType(typeof(Pan), "pan")]
[JsonDerivedType(typeof(Enhance), "enhance")]
[JsonDerivedType(typeof(Retexture), "retexture")]
[JsonDerivedType(typeof(RemoveBackground), "remove_background")]
public abstract record Operation(string? Prompt, Speed Speed)
{
    [JsonIgnore]
    public abstract OperationKind Kind { get; }

    /// <summary>The encoding of the results: PNG unless the client asks for JPEG.</summary>
    public OutputFormat Output { get; init; } = OutputFormat.Png;

    /// <summary>The earlier task output this operation builds on, if it is a secondary operation.</summary>
    [JsonIgnore]
    public virtual SourceImage? Source => null;

    /// <summary>The uploaded or fetched image a direct operation starts from, if it takes one.</summary>
    [JsonIgnore]
    public virtual ImageRef? InputImage => null;
}

public sealed record UploadPaint(string Prompt, Speed Speed, ImageRef Image, CanvasSize Canvas, Placement Placement, MaskSpec Mask)
    : Operation(Prompt, Speed)
{
    public override OperationKind Kind => OperationKind.UploadPaint;
    public override ImageRef? InputImage => Image;
}

public sealed record Edit(string Prompt, Speed Speed, SourceImage From, CanvasSize Canvas, Placement Placement, MaskSpec? Mask)
    : Operation(Prompt, Speed)
{
    public override OperationKind Kind => OperationKind.Edit;
    public override SourceImage? Source => From;
}

public sealed record Inpaint(string? Prompt, Speed Speed, SourceImage From, MaskSpec Mask)
    : Operation(Prompt, Speed)
{
    public override OperationKind Kind => OperationKind.Inpaint;
    public override SourceImage? Source => From;
}

public sealed record Remix(string Prompt, Speed Speed, SourceImage From, RemixMode Mode)
    : Operation(Prompt, Speed)
{
    public override OperationKind Kind => OperationKind.Remix;
    public override SourceImage? Source => From;
}

/// <summary>Four new images from a prompt alone.</summary>
public sealed record Imagine(string Prompt, Speed Speed) : Operation(Prompt, Speed)
{
    public override OperationKind Kind => OperationKind.Imagine;
}

/// <summary>Four variants of an earlier output; the prompt, when given, is a remix prompt.</summary>
public sealed record Variation(string? Prompt, Speed Speed, SourceImage From, VariationType Type) : Operation(Prompt, Speed)
{
    public override OperationKind Kind => OperationKind.Variation;
    public override SourceImage? Source => From;
}

/// <summary>One image, each side multiplied by <see cref="Factor"/>.</summary>
public sealed record Upscale(Speed Speed, SourceImage From, UpscaleType Type) : Operation(null, Speed)
{
    public override OperationKind Kind => OperationKind.Upscale;
    public override SourceImage? Source => From;

    [JsonIgnore]
    public int Factor => Type == UpscaleType.FourTimes ? 4 : 2;
}

/// <summary>Zoom out: the canvas scaled by Scale around the centred source, the new border filled.</summary>
public sealed record Outpaint(string? Prompt, Speed Speed, SourceImage From, decimal Scale) : Operation(Prompt, Speed)
{
    public override OperationKind Kind => OperationKind.Outpaint;
    public override SourceImage? Source => From;
}

/// <summary>The source extended by Scale along Direction only; the other side keeps its length.</summary>
public sealed record Pan(string? Prompt, Speed Speed, SourceImage From, PanDirection Direction, decimal Scale) : Operation(Prompt, Speed)
{
    public override OperationKind Kind => OperationKind.Pan;
    public override SourceImage? Source => From;
}

public sealed record Enhance(Speed Speed, SourceImage From) : Operation(null, Speed)
{
    public override OperationKind Kind => OperationKind.Enhance;
    public override SourceImage? Source => From;
}

/// <summary>An uploaded image re-rendered under a prompt (its shapes kept, its surfaces new).</summary>
public sealed record Retexture(string Prompt, Speed Speed, ImageRef Image) : Operation(Prompt, Speed)
{
    public override OperationKind Kind => OperationKind.Retexture;
    public override ImageRef? InputImage => Image;
}

/// <summary>One PNG whose alpha is the foreground of the uploaded image.</summary>
public sealed record RemoveBackground(Speed Speed, ImageRef Image) : Operation(null, Speed)
{
    public override OperationKind Kind => OperationKind.RemoveBackground;
    public override ImageRef? InputImage => Image;
}

/// <summary>An image of an earlier task: its id and image number (0-3).</summary>
public sealed record SourceImage(string TaskId, int ImageNumber);
