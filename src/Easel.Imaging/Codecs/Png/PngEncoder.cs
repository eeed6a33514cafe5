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
        // zlib's own levels 0-9, as libpng's and pnmtopng's -compression mean them.
        var options = new ZLibCompressionOptions { CompressionLevel = compressionLevel };
        var filtered = FilterRows(image);
        using var deflated = new MemoryStream((filtered.Length / 2) + 1024);
        using (var zlib = new ZLibStream(deflated, options, leaveOpen: true))
        {
            zlib.Write(filtered);
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

    // Each row's filter depends only on that row and the unfiltered row above, so rows are filtered in parallel;
    // the heuristic per row is the minimum sum of absolute differences (PNG spec 12.8), as libpng's default.
    private static byte[] FilterRows(RgbaImage image)
    {
        var rowLength = image.Width * 4;
        var filtered = new byte[(long)(rowLength + 1) * image.Height];
        var pixels = image.Pixels;
        Parallel.For(
            0,
            image.Height,
            () => new byte[rowLength],
            (y, _, candidate) =>
            {
                var row = pixels.AsSpan(y * rowLength, rowLength);
                var previous = y == 0 ? new byte[rowLength] : pixels.AsSpan((y - 1) * rowLength, rowLength);
                var best = filtered.AsSpan(y * (rowLength + 1), rowLength + 1);
                var bestCost = long.MaxValue;
                for (var filter = PngFilter.None; filter <= PngFilter.Paeth; filter++)
                {
                    var cost = PngFilter.Apply(filter, row, previous, 4, candidate);
                    if (cost < bestCost)
                    {
                        bestCost = cost;
                        best[0] = (byte)filter;
                        candidate.CopyTo(best[1..]);
                    }
                }

                return candidate;
            },
            static _ => { });
        return filtered;
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
