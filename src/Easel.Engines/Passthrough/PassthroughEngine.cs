using Easel.Core.Engines;
using Easel.Core.Operations;
using Easel.Core.Tasks;
using Easel.Imaging;

namespace Easel.Engines.Passthrough;

/// <summary>
/// An engine that paints nothing: the results (as many as the model gives) are the source image as it came. For measuring the task
/// system itself (queues, callbacks, storage) without the cost of pixels; chosen with Easel:Engine=passthrough.
/// </summary>
public sealed class PassthroughEngine : IImageEngine
{
    /// <summary>Every capability whose operation has a source image to pass through (not imagine).</summary>
    public static EngineDescriptor Descriptor { get; } = new("passthrough",
        Enum.GetValues<EngineCapability>().Where(c => c != EngineCapability.Imagine).ToHashSet(), FollowsPrompts: false);

    public Task<EngineOutput> RunAsync(EngineInput input, IProgress<int> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(progress);
        var source = input.SourceImage ?? throw new InvalidOperationException("every operation has a source image");
        var format = ImageCodec.Sniff(source.Span);
        if (!ImageFileTypes.Decodable.Contains(format))
        {
            throw new EngineFailureException(FailureKind.ImageProcessing, $"the passthrough engine takes a decodable image, not {format}");
        }
        var (extension, contentType) = ImageFileTypes.Of(format);
        var bytes = source.ToArray();
        progress.Report(100);
        return Task.FromResult(new EngineOutput(Enumerable.Repeat(bytes, Core.Models.ModelCatalog.Of(input.Operation.Kind).ImageCount).ToArray(), extension, contentType));
    }
}
