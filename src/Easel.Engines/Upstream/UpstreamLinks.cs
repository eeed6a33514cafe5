using Easel.Core.Blobs;
using Easel.Core.Operations;
using Easel.Core.Tasks;

namespace Easel.Engines.Upstream;

/// <summary>
/// The URLs an upstream is given: an image as a URL it can fetch (a client's URL as the client gave it, Easel's own
/// upload at its public /files URL), and the per-task wake-up URL carrying the task's unguessable token. Both are on
/// the base URL the task was created under (the request's, or Easel:PublicBaseUrl), which the upstream must reach.
/// </summary>
public static class UpstreamLinks
{
    public const string WakeUpPath = "/upstream/wake/";

    public static Uri Of(ImageRef image, TaskRecord task)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(task);
        return image switch
        {
            ExternalImage external => new Uri(external.Url),
            StoredImage stored => new Uri(BlobUrls.FileUrl(BaseOf(task), stored.BlobKey)),
            _ => throw new ArgumentOutOfRangeException(nameof(image)),
        };
    }

    public static Uri WakeUp(TaskRecord task, string token)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new Uri($"{BaseOf(task)}{WakeUpPath}{Uri.EscapeDataString(task.Id)}/{token}");
    }

    private static string BaseOf(TaskRecord task) =>
        task.BaseUrl ?? throw new InvalidOperationException($"task {task.Id} has no base URL to give an upstream");
}
