namespace Easel.Core.Outbound;

/// <summary>Every request Easel makes to the outside goes through this port (API.md section 7).</summary>
public interface IOutboundClient
{
    /// <summary>GETs the URL within the size and time caps; throws <see cref="OutboundException"/> with a reason a client can read.</summary>
    Task<byte[]> GetBytesAsync(Uri url, CancellationToken cancellationToken);

    /// <summary>
    /// POSTs a JSON body and returns the status code. Redirects are not followed (a receiver that redirects is a
    /// failed delivery); a refused address, no connection or no answer within the timeout throws <see cref="OutboundException"/>.
    /// </summary>
    Task<int> PostJsonAsync(Uri url, string body, IReadOnlyDictionary<string, string> headers, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>A refused or failed outbound request; the message is safe to show to the client.</summary>
public sealed class OutboundException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>True when the address policy refused the destination (as opposed to a destination that failed).</summary>
    public bool AddressRefused { get; init; }
}
