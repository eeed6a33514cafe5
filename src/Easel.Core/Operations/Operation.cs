using System.Text.Json.Serialization;

namespace Easel.Core.Operations;

public enum OperationKind { UploadPaint, Edit, Inpaint, Remix }

public enum Speed { Fast, Turbo }

public enum RemixMode { Strong, Subtle }

/// <summary>How the four result images are encoded.</summary>
public enum OutputFormat { Png, Jpeg, Webp }

/// <summary>
/// One dialect-free request for four images. Dialects parse into these; the worker and the engines read them.
/// Immutable: what was accepted at create is what runs, however often the task is retried.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "op")]
[JsonDerivedType(typeof(UploadPaint), "upload_paint")]
[JsonDerivedType(typeof(Edit), "edit")]
[JsonDerivedType(typeof(Inpaint), "inpaint")]
[JsonDerivedType(typeof(Remix), "remix")]
public abstract record Operation(string? Prompt, Speed Speed)
{
    [JsonIgnore]
    public abstract OperationKind Kind { get; }

    /// <summary>The encoding of the results: PNG unless the client asks for JPEG.</summary>
    public OutputFormat Output { get; init; } = OutputFormat.Png;

    /// <summary>The earlier task output this operation builds on, if it is a secondary operation.</summary>
    [JsonIgnore]
    public virtual SourceImage? Source => null;
}

public sealed record UploadPaint(string Prompt, Speed Speed, ImageRef Image, CanvasSize Canvas, Placement Placement, MaskSpec Mask)
    : Operation(Prompt, Speed)
{
    public override OperationKind Kind => OperationKind.UploadPaint;
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

/// <summary>An image of an earlier task: its id and image number (0-3).</summary>
public sealed record SourceImage(string TaskId, int ImageNumber);
