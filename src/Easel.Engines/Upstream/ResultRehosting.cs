using Easel.Core.Blobs;
using Easel.Core.Outbound;
using Easel.Imaging;

namespace Easel.Engines.Upstream;

/// <summary>
/// An upstream's result URLs turned into Easel's own files (API.md section 10): fetched through the guarded client
/// (the engine's host is allowed; a URL on any other host is checked like a client's image URL, so a result on a
/// private address is refused), at most 20 MiB each, checked from the header to be an image Easel stores within the
/// pixel limit, and saved in its own format. The images are fetched at once; all are kept or none.
/// A result may also be carried in the answer (<see cref="UpstreamImage"/>: the OpenAI Images API's <c>b64_json</c>,
/// A1111's images, cog's data: URLs, ComfyUI's bytes): decoded here, under the same byte limit checked on its length
/// before decoding, and checked like a fetched one, so this stays the one place an upstream's images are checked and stored.
/// A Midjourney-family grid (one picture of four, <see cref="PollAnswer.Succeeded.OneGridOfFour"/>) is fetched and
/// checked the same way, then cut into its four images by <see cref="GridSplit"/>, each stored as a result.
/// </summary>
public sealed class ResultRehosting(IOutboundClient outbound, IBlobStore blobs, OutboundOptions limits)
{
    public Task<IReadOnlyList<string>> RehostAsync(IReadOnlyList<Uri> urls, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(urls);
        return RehostAsync(UpstreamImage.AtAll(urls), cancellationToken);
    }

    public async Task<IReadOnlyList<string>> RehostAsync(IReadOnlyList<UpstreamImage> images, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        var saves = images.Select((image, index) => SaveOneAsync(image, index, cancellationToken)).ToArray();
        try
        {
            return await Task.WhenAll(saves);
        }
        catch
        {
            // All or nothing: the images that were saved belong to no task.
            await DiscardAsync(saves.Where(s => s.IsCompletedSuccessfully).Select(s => s.Result).ToList());
            throw;
        }
    }

    /// <summary>The four images of one grid picture, stored in order (image 1 top left ... image 4 bottom right).</summary>
    public Task<IReadOnlyList<string>> RehostGridAsync(Uri grid, CancellationToken cancellationToken) =>
        RehostGridAsync(UpstreamImage.At(grid), cancellationToken);

    /// <summary>The four images of one grid picture, stored in order (image 1 top left ... image 4 bottom right).</summary>
    public async Task<IReadOnlyList<string>> RehostGridAsync(UpstreamImage grid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grid);
        var (bytes, info) = await FetchCheckedAsync(grid, 0, cancellationToken);
        var quadrants = GridSplit.Split(bytes, info);
        var keys = new List<string>(quadrants.Count);
        try
        {
            foreach (var (quadrant, format) in quadrants)
            {
                keys.Add(await blobs.SaveAsync(quadrant, ImageFileTypes.Of(format).Extension, cancellationToken));
            }
            return keys;
        }
        catch
        {
            await DiscardAsync(keys);
            throw;
        }
    }

    /// <summary>Deletes stored results that no task will own (a completion that lost its race).</summary>
    public async Task DiscardAsync(IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var key in keys)
        {
            await blobs.DeleteAsync(key, CancellationToken.None);
        }
    }

    private async Task<string> SaveOneAsync(UpstreamImage image, int index, CancellationToken cancellationToken)
    {
        var (bytes, info) = await FetchCheckedAsync(image, index, cancellationToken);
        return await blobs.SaveAsync(bytes, ImageFileTypes.Of(info.Format).Extension, cancellationToken);
    }

    private async Task<(byte[] Bytes, ImageInfo Info)> FetchCheckedAsync(UpstreamImage image, int index, CancellationToken cancellationToken)
    {
        byte[] bytes;
        if (image.Bytes is { } read)
        {
            if (read.Length > limits.MaxImageBytes)
            {
                throw new UpstreamResultException($"result {index} of the upstream is over the limit of {limits.MaxImageBytes} bytes");
            }
            bytes = read;
        }
        else if (image.Base64 is { } base64)
        {
            bytes = DataUrl.DecodeBase64(base64, index, limits.MaxImageBytes);
        }
        else if (image.DataUrlText is { } text)
        {
            bytes = DataUrl.Decode(text, index, limits.MaxImageBytes);
        }
        else
        {
            var url = image.Url!;
            try
            {
                bytes = await outbound.GetUpstreamResultAsync(url, cancellationToken);
            }
            catch (OutboundException e)
            {
                throw new UpstreamResultException($"result {index} of the upstream could not be fetched: {e.Message}", e);
            }
        }
        ImageInfo info;
        try
        {
            info = ImageCodec.Identify(bytes);
        }
        catch (ImageDecodeException e)
        {
            throw new UpstreamResultException($"result {index} of the upstream is not an image Easel reads: {e.Message}", e);
        }
        if (!ImageFileTypes.Decodable.Contains(info.Format))
        {
            throw new UpstreamResultException($"result {index} of the upstream is {info.Format}, which Easel does not serve");
        }
        if ((long)info.Width * info.Height > ImageLimits.MaxPixels)
        {
            throw new UpstreamResultException($"result {index} of the upstream is {info.Width}x{info.Height}, over the limit of {ImageLimits.MaxPixels} pixels");
        }
        return (bytes, info);
    }
}

/// <summary>An upstream's result that Easel refuses to serve; the message says which and why, and is safe to show.</summary>
public sealed class UpstreamResultException(string message, Exception? inner = null) : Exception(message, inner);
