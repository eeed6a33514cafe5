using Easel.Core.Blobs;
using Easel.Imaging;

namespace Easel.Engines;

/// <summary>The size of a stored image from its first bytes (a PNG's IHDR, a JPEG's frame header), never its pixels.</summary>
internal sealed class BlobImageSizes(IBlobStore blobs) : IImageSizes
{
    // Easel's own results carry their size in the first few hundred bytes; an upload's JPEG may have a large Exif
    // block before its frame header, and then the whole file is read.
    private const int HeaderBytes = 64 * 1024;

    public async Task<(int Width, int Height)?> SizeOfAsync(string blobKey, CancellationToken cancellationToken)
    {
        var stream = await blobs.OpenReadAsync(blobKey, cancellationToken);
        if (stream is null)
        {
            return null;
        }
        await using (stream)
        {
            var buffer = new byte[HeaderBytes];
            var read = await stream.ReadAtLeastAsync(buffer, HeaderBytes, throwOnEndOfStream: false, cancellationToken);
            if (Identify(buffer.AsSpan(0, read)) is { } size)
            {
                return size;
            }
            if (read < HeaderBytes)
            {
                return null;
            }
            // The header lies further in: the rest from the stream already open, not the blob read again.
            using var whole = new MemoryStream();
            whole.Write(buffer);
            await stream.CopyToAsync(whole, cancellationToken);
            return Identify(whole.GetBuffer().AsSpan(0, (int)whole.Length));
        }
    }

    private static (int, int)? Identify(ReadOnlySpan<byte> data)
    {
        try
        {
            var info = ImageCodec.Identify(data);
            return (info.Width, info.Height);
        }
        catch (ImageDecodeException)
        {
            // Not readable from these bytes: the size stays unknown and the engine checks it after decoding.
            return null;
        }
    }
}
