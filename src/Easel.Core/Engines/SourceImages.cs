using Easel.Core.Blobs;
using Easel.Core.Operations;
using Easel.Core.Outbound;
using Easel.Core.Tasks;

namespace Easel.Core.Engines;

/// <summary>
/// The images an operation starts from, as bytes: an upload from Easel's storage, a client's URL through the guarded
/// client, an earlier task's result; and an image mask. One loader for the local engine's run and for an upstream
/// that is sent the images themselves, so both fail the same way.
/// </summary>
public sealed class SourceImages(ITaskStore store, IBlobStore blobs, IOutboundClient outbound)
{
    /// <summary>The source image, or null for an operation without one (imagine).</summary>
    /// <exception cref="EngineFailureException">It no longer exists (resource_not_found, image_processing).</exception>
    /// <exception cref="OutboundException">A client's URL could not be fetched.</exception>
    public async Task<byte[]?> SourceAsync(Operation operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operation.InputImage is { } image)
        {
            return await LoadAsync(image, "image", cancellationToken);
        }
        if (operation.Source is not { } source)
        {
            return null;
        }
        // Checked at create (same account, completed, image exists); a completed task never changes again.
        var from = await store.GetAsync(source.TaskId, cancellationToken);
        if (from is null || source.ImageNumber >= from.ResultKeys.Count)
        {
            throw new EngineFailureException(FailureKind.ResourceNotFound, $"image {source.ImageNumber} of task {source.TaskId} no longer exists");
        }
        return await blobs.ReadAsync(from.ResultKeys[source.ImageNumber], cancellationToken)
            ?? throw new EngineFailureException(FailureKind.ResourceNotFound, $"image {source.ImageNumber} of task {source.TaskId} is missing from storage");
    }

    /// <summary>The mask image of an operation masked by one, or null (polygons, or no mask).</summary>
    public async Task<byte[]?> MaskAsync(Operation operation, CancellationToken cancellationToken) =>
        MaskOf(operation) is ImageMask { Image: var image } ? await LoadAsync(image, "mask", cancellationToken) : null;

    public static MaskSpec? MaskOf(Operation operation) => operation switch
    {
        UploadPaint p => p.Mask,
        Edit e => e.Mask,
        Inpaint i => i.Mask,
        _ => null,
    };

    private async Task<byte[]> LoadAsync(ImageRef image, string what, CancellationToken cancellationToken) => image switch
    {
        StoredImage stored => await blobs.ReadAsync(stored.BlobKey, cancellationToken)
            ?? throw new EngineFailureException(FailureKind.ImageProcessing, $"the {what} file was not found in Easel's storage"),
        ExternalImage external => await outbound.GetBytesAsync(new Uri(external.Url), cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(image)),
    };
}
