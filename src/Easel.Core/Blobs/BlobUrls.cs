namespace Easel.Core.Blobs;

/// <summary>Where Easel serves its stored files: one path for the server that serves them and the engines that hand them out.</summary>
public static class BlobUrls
{
    public const string FilesPath = "/files/";

    public static string FileUrl(string baseUrl, string blobKey) => baseUrl + FilesPath + blobKey;
}
