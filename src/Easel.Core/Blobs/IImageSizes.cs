namespace Easel.Core.Blobs;

/// <summary>Reads the pixel size of a stored image from its header, without decoding it (a create's size checks).</summary>
public interface IImageSizes
{
    /// <summary>The width and height, or null when there is no such blob or its header cannot be read.</summary>
    Task<(int Width, int Height)?> SizeOfAsync(string blobKey, CancellationToken cancellationToken);
}
