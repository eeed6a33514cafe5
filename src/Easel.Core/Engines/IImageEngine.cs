using Easel.Core.Operations;
using Easel.Core.Tasks;

namespace Easel.Core.Engines;

/// <summary>The encoded inputs of one run: the source image (fetched or an earlier output) and a mask image, if any.</summary>
public sealed record EngineInput(Operation Operation, ReadOnlyMemory<byte>? SourceImage, ReadOnlyMemory<byte>? MaskImage, int Seed);

/// <summary>The encoded images (as many as the model gives) and their file extension.</summary>
public sealed record EngineOutput(IReadOnlyList<byte[]> Images, string Extension, string ContentType);

/// <summary>Turns an operation and its source pixels into its model's images (the catalog's image count); knows nothing of accounts or money.</summary>
public interface IImageEngine
{
    /// <summary>Reports progress 0-100 of its own work; throws <see cref="EngineFailureException"/> for a failure the client should see.</summary>
    Task<EngineOutput> RunAsync(EngineInput input, IProgress<int> progress, CancellationToken cancellationToken);
}

/// <summary>A failure of the work, not of the server: it ends the task failed with this kind and message.</summary>
public sealed class EngineFailureException(FailureKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public FailureKind Kind { get; } = kind;
}
