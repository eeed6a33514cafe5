using Amazon.S3.Model;

namespace Easel.Storage.Blobs;

/// <summary>
/// An object of the bucket as a seekable, read-only stream of known length, for serving /files/... with ranges:
/// it starts on the whole object's GET (the usual download reads it straight through); a seek elsewhere (a range
/// request) drops that body and the next read opens a ranged GET from the new position. Async reads only: every
/// reader here (ASP.NET Core's file results, the image size probe) reads asynchronously.
/// </summary>
internal sealed class S3ObjectStream : Stream
{
    private readonly S3BlobStore _store;
    private readonly string _key;
    private GetObjectResponse? _response;
    private long _bodyPosition;
    private long _position;

    public S3ObjectStream(S3BlobStore store, string key, GetObjectResponse response)
    {
        _store = store;
        _key = key;
        _response = response;
        Length = response.ContentLength;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length { get; }

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        _position = target;
        return target;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= Length || buffer.IsEmpty)
        {
            return 0;
        }
        if (_response is null || _bodyPosition != _position)
        {
            _response?.Dispose();
            _response = null;
            _response = await _store.GetAsync(_key, _position, cancellationToken)
                ?? throw _store.Fault("read", _key, new IOException("the object disappeared while it was read"));
            _bodyPosition = _position;
        }
        int read;
        try
        {
            read = await _response.ResponseStream.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (S3BlobStore.IsStoreFault(e, cancellationToken))
        {
            throw _store.Fault("read", _key, e);
        }
        if (read == 0)
        {
            // The bucket ended the body before the length it announced: a truncated object must not pass as whole.
            throw _store.Fault("read", _key, new EndOfStreamException($"the body ended at byte {_position} of {Length}"));
        }
        _position += read;
        _bodyPosition += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("An object of the bucket is read asynchronously (ReadAsync).");

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _response?.Dispose();
            _response = null;
        }
        base.Dispose(disposing);
    }
}
