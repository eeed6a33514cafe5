using Easel.Core.Blobs;
using Easel.Core.Retention;
using Easel.Imaging;
using Easel.Server.Auth;
using Easel.Server.Dialects.Unified;
using Easel.Server.Hosting;
using Easel.Server.Http;
using Easel.Server.OpenApi;
using Easel.Storage.Blobs;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Easel.Server.Files;

/// <summary>Uploads (POST /v1/files) and the serving of uploads and results (GET /files/...).</summary>
internal static class FileEndpoints
{
    public static IEndpointRouteBuilder MapFiles(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/files", UploadAsync).RequireApiKey(UnifiedErrors.Instance).DisableAntiforgery()
            .WithGroupName(UnifiedDocumentation.DocumentName).WithTags(UnifiedDocumentation.FilesTag).WithName("uploadFile")
            .WithSummary("Upload a source image (PNG, JPEG, WebP, GIF, AVIF or TIFF) as multipart/form-data field `file`; use its url in image_urls or imgUrl")
            .WithMultipartFile("file")
            .Produces<UploadedFile>(StatusCodes.Status201Created).ProducesErrors(UnifiedDocumentation.Instance, 400, 401, 413, 500);
        // No group name: results are downloaded the same way whichever dialect made the task, so both documents list it.
        app.MapMethods(PublicUrls.FilesPath + "{folder}/{name}", [HttpMethods.Get, HttpMethods.Head], ServeAsync)
            .WithTags(UnifiedDocumentation.FilesTag)
            .WithSummary("Download an upload or a result image (no key: the name is 128 random bits)")
            .ProducesImages("image/png", "image/jpeg", "image/webp", "image/gif", "image/avif", "image/tiff")
            .Produces(StatusCodes.Status302Found).Produces(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> UploadAsync(HttpContext http, IBlobStore blobs, TaskFiles files, PublicUrls urls, IOptions<EaselOptions> options, TimeProvider time)
    {
        var max = options.Value.Outbound.MaxImageBytes;
        // Envelope overhead aside, an upload may be as large as an image Easel would fetch, and no larger.
        if (http.Request.ContentLength is long declared && declared > max + (64 * 1024))
        {
            return UnifiedErrors.TooLarge($"The upload is {declared} bytes; the limit is {max} bytes");
        }
        if (!http.Request.HasFormContentType)
        {
            return UnifiedErrors.InvalidRequest("Send the image as multipart/form-data in a field named file", "file");
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max + (64 * 1024);
        }

        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = max, ValueCountLimit = 16 }, http.RequestAborted);
        }
        catch (InvalidDataException e)
        {
            return UnifiedErrors.TooLarge($"The upload could not be read within the limit of {max} bytes: {e.Message}");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return UnifiedErrors.TooLarge($"The upload is over the limit of {max} bytes");
        }
        var file = form.Files["file"];
        if (file is null || file.Length == 0)
        {
            return UnifiedErrors.InvalidRequest("Send the image as multipart/form-data in a field named file", "file");
        }

        var bytes = new byte[file.Length];
        await using (var stream = file.OpenReadStream())
        {
            await stream.ReadExactlyAsync(bytes, http.RequestAborted);
        }
        ImageInfo info;
        try
        {
            // The header only: the pixel budget is checked without decoding the image.
            info = ImageCodec.Identify(bytes);
            if (!ImageFileTypes.Decodable.Contains(info.Format))
            {
                throw new UnsupportedImageFormatException(info.Format);
            }
            if ((long)info.Width * info.Height > ImageLimits.MaxPixels)
            {
                throw new ImageTooLargeException(info.Width, info.Height, ImageLimits.MaxPixels);
            }
        }
        catch (ImageDecodeException e)
        {
            return UnifiedErrors.InvalidRequest(e.Message, "file");
        }

        var (extension, contentType) = ImageFileTypes.Of(info.Format);
        var key = await blobs.SaveAsync(bytes, extension, http.RequestAborted);
        // Not the request's token: a saved blob is recorded even if the client hangs up now, so retention can find it.
        await files.RecordUploadAsync(key, http.Account().Id, CancellationToken.None);
        return TypedResults.Json(new UploadedFile(
            "file-" + key[3..35], "file", PublicUrls.FileUrl(urls.BaseUrl(http.Request), key), bytes.Length, contentType,
            info.Width, info.Height, time.GetUtcNow().ToUnixTimeSeconds()), UnifiedJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ServeAsync(string folder, string name, IBlobStore blobs, HttpContext http, [FromServices] IPresignedBlobUrls? presigned = null)
    {
        var key = $"{folder}/{name}";
        if (!BlobKeys.IsValid(key))
        {
            return TypedResults.NotFound();
        }
        if (presigned is not null)
        {
            // The bucket serves the bytes (with the content type and Cache-Control stored on the object). The URL
            // expires, so the redirect itself must not be cached; no HEAD first: a name Easel never issued gets the
            // bucket's own 404 from the URL.
            http.Response.Headers.CacheControl = "no-store";
            return TypedResults.Redirect(presigned.PresignedUrlOf(key).AbsoluteUri);
        }
        if (await blobs.OpenReadAsync(key, http.RequestAborted) is not { } stream)
        {
            return TypedResults.NotFound();
        }
        // A key names one immutable file for ever: caches may keep it as long as they like.
        http.Response.Headers.CacheControl = BlobKeys.CacheControl;
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.Stream(stream, BlobKeys.ContentTypeOf(key), entityTag: new EntityTagHeaderValue(BlobKeys.EntityTagOf(key)), enableRangeProcessing: true);
    }
}

internal sealed record UploadedFile(
    [property: System.Text.Json.Serialization.JsonPropertyName("id")] string Id,
    [property: System.Text.Json.Serialization.JsonPropertyName("object")] string Object,
    [property: System.Text.Json.Serialization.JsonPropertyName("url")] string Url,
    [property: System.Text.Json.Serialization.JsonPropertyName("bytes")] long Bytes,
    [property: System.Text.Json.Serialization.JsonPropertyName("content_type")] string ContentType,
    [property: System.Text.Json.Serialization.JsonPropertyName("width")] int Width,
    [property: System.Text.Json.Serialization.JsonPropertyName("height")] int Height,
    [property: System.Text.Json.Serialization.JsonPropertyName("created")] long Created);
