using System.Buffers.Binary;

namespace Easel.Imaging.Codecs.Png;

internal static class PngChunkType
{
    public const uint Ihdr = 0x49484452;
    public const uint Plte = 0x504C5445;
    public const uint Idat = 0x49444154;
    public const uint Iend = 0x49454E44;
    public const uint Trns = 0x74524E53;

    // Bit 5 of the first byte clear = critical: a decoder that does not understand it must not guess (PNG spec 5.4).
    public static bool IsCritical(uint type) => (type & 0x20000000) == 0;

    public static string Name(uint type) => string.Create(4, type, static (span, t) =>
    {
        for (var i = 0; i < 4; i++)
        {
            var c = (char)((t >> (24 - (8 * i))) & 0xFF);
            span[i] = char.IsAsciiLetter(c) ? c : '?';
        }
    });
}

internal readonly ref struct PngChunk(uint type, int dataOffset, ReadOnlySpan<byte> data)
{
    public uint Type { get; } = type;

    public int DataOffset { get; } = dataOffset;

    public ReadOnlySpan<byte> Data { get; } = data;
}

// Walks the chunk sequence, verifying the length against the data left and the CRC of every chunk,
// so later stages can trust chunk boundaries.
internal ref struct PngChunkReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _offset;

    public PngChunkReader(ReadOnlySpan<byte> data)
    {
        if (!data.StartsWith(PngHeader.Signature))
        {
            throw new ImageDecodeException("The data does not start with the PNG signature.");
        }

        _data = data;
        _offset = PngHeader.Signature.Length;
    }

    public bool AtEnd => _offset >= _data.Length;

    public PngChunk Read()
    {
        var remaining = _data.Length - _offset;
        if (remaining < 12)
        {
            throw new ImageDecodeException("The PNG data is truncated: a chunk header is incomplete.");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(_data[_offset..]);
        var type = BinaryPrimitives.ReadUInt32BigEndian(_data[(_offset + 4)..]);
        for (var shift = 24; shift >= 0; shift -= 8)
        {
            if (!char.IsAsciiLetter((char)((type >> shift) & 0xFF)))
            {
                throw new ImageDecodeException("The PNG data contains a chunk with an invalid type code.");
            }
        }

        if (length > int.MaxValue || length > (uint)(remaining - 12))
        {
            throw new ImageDecodeException($"The PNG data is truncated: chunk {PngChunkType.Name(type)} declares {length} bytes.");
        }

        var dataOffset = _offset + 8;
        var data = _data.Slice(dataOffset, (int)length);
        var stored = BinaryPrimitives.ReadUInt32BigEndian(_data[(dataOffset + (int)length)..]);
        var actual = Crc32.Compute(_data.Slice(_offset + 4, 4), data);
        if (stored != actual)
        {
            throw new ImageDecodeException($"The PNG chunk {PngChunkType.Name(type)} fails its CRC check.");
        }

        _offset = dataOffset + (int)length + 4;
        return new PngChunk(type, dataOffset, data);
    }
}
