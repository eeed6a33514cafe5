namespace Easel.Core.Blobs;

/// <summary>
/// The blob store failed (a bucket refused a write, answered an error, or could not be reached). The message names
/// the operation and the store's answer and is safe to log; it is not shown to clients, who get the dialect's
/// "service unavailable" instead.
/// </summary>
public sealed class BlobStoreException(string message, Exception? inner = null) : Exception(message, inner);
