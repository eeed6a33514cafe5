using System.Buffers.Binary;
using System.IO.Compression;

namespace Easel.Imaging.Codecs.Png;

// Always RGBA 8-bit (colour type 6), non-interlaced: the server re-encodes its own RGBA buffers only.
internal static class PngEncoder
{
    // IDAT chunks are split so no single chunk needs a huge contiguous CRC pass or buffer in a reader.
    private const int MaxIdatLength = 1 << 20;

    public static byte[] Encode(RgbaImage image, int compressionLevel)
    {
        var level = compressionLevel switch
        {
            0 => CompressionLevel.NoCompression,
            >= 1 and <= 3 => CompressionLevel.Fastest,
            >= 4 and <= 6 => CompressionLevel.Optimal,
            _ => CompressionLevel.SmallestSize,
        };

        using var deflated = new MemoryStream();
        using (var zlib = new ZLibStream(deflated, level, leaveOpen: true))
        {
            WriteFilteredRows(image, zlib);
        }

        var compressed = deflated.GetBuffer().AsSpan(0, (int)deflated.Length);
        using var output = new MemoryStream(compressed.Length + 64 + (12 * (compressed.Length / MaxIdatLength)));
        output.Write(PngHeader.Signature);

        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], image.Height);
        ihdr[8] = 8;
        ihdr[9] = (byte)PngColorType.Rgba;
        WriteChunk(output, PngChunkType.Ihdr, ihdr);

        do
        {
            var length = Math.Min(MaxIdatLength, compressed.Length);
            WriteChunk(output, PngChunkType.Idat, compressed[..length]);
            compressed = compressed[length..];
        }
        while (!compressed.IsEmpty);

        WriteChunk(output, PngChunkType.Iend, []);
        return output.ToArray();
    }

    private static void WriteFilteredRows(RgbaImage image, Stream zlib)
    {
        var rowLength = image.Width * 4;
        var previous = new byte[rowLength];
        var best = new byte[rowLength + 1];
        var candidate = new byte[rowLength + 1];
        for (var y = 0; y < image.Height; y++)
        {
            var row = image.Row(y);
            var bestCost = long.MaxValue;
            for (var filter = PngFilter.None; filter <= PngFilter.Paeth; filter++)
            {
                var cost = PngFilter.Apply(filter, row, previous, 4, candidate.AsSpan(1));
                if (cost < bestCost)
                {
                    bestCost = cost;
                    candidate[0] = (byte)filter;
                    (best, candidate) = (candidate, best);
                }
            }

            zlib.Write(best);
            row.CopyTo(previous);
        }
    }

    private static void WriteChunk(Stream output, uint type, ReadOnlySpan<byte> data)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(buffer, data.Length);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], type);
        output.Write(buffer);
        output.Write(data);
        var crc = Crc32.Compute(buffer[4..], data);
        BinaryPrimitives.WriteUInt32BigEndian(buffer, crc);
        output.Write(buffer[..4]);
    }
}
