using System.IO.Compression;

namespace Easel.Imaging.Codecs.Png;

internal static class PngDecoder
{
    // Adam7: (x0, y0, dx, dy) of each pass, PNG spec 8.2.
    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7Passes =
    [
        (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2),
    ];

    private static readonly (int X0, int Y0, int Dx, int Dy)[] SinglePass = [(0, 0, 1, 1)];

    public static PngHeader ReadHeader(ReadOnlySpan<byte> data)
    {
        var reader = new PngChunkReader(data);
        var first = reader.Read();
        if (first.Type != PngChunkType.Ihdr)
        {
            throw new ImageDecodeException("The PNG data does not start with an IHDR chunk.");
        }

        return PngHeader.Parse(first.Data);
    }

    public static RgbaImage Decode(ReadOnlySpan<byte> data, long maxPixels)
    {
        var reader = new PngChunkReader(data);
        var first = reader.Read();
        if (first.Type != PngChunkType.Ihdr)
        {
            throw new ImageDecodeException("The PNG data does not start with an IHDR chunk.");
        }

        var header = PngHeader.Parse(first.Data);
        ImageCodec.ThrowIfTooLarge(header.Width, header.Height, maxPixels);

        var palette = ReadOnlySpan<byte>.Empty;
        var transparency = ReadOnlySpan<byte>.Empty;
        var idat = new List<(int Offset, int Length)>();
        long compressedLength = 0;
        var idatClosed = false;
        var ended = false;
        while (!ended)
        {
            if (reader.AtEnd)
            {
                throw new ImageDecodeException("The PNG data is truncated: there is no IEND chunk.");
            }

            var chunk = reader.Read();
            if (idat.Count > 0 && chunk.Type != PngChunkType.Idat)
            {
                idatClosed = true;
            }

            switch (chunk.Type)
            {
                case PngChunkType.Ihdr:
                    throw new ImageDecodeException("The PNG data has a second IHDR chunk.");
                case PngChunkType.Plte:
                    if (idat.Count > 0 || !palette.IsEmpty || chunk.Data.Length == 0 || chunk.Data.Length % 3 != 0 || chunk.Data.Length > 256 * 3)
                    {
                        throw new ImageDecodeException("The PNG palette is misplaced, repeated or of an invalid length.");
                    }

                    if (header.ColorType is PngColorType.Grey or PngColorType.GreyAlpha)
                    {
                        throw new ImageDecodeException("A greyscale PNG must not have a palette.");
                    }

                    palette = chunk.Data;
                    break;
                case PngChunkType.Trns:
                    transparency = chunk.Data;
                    break;
                case PngChunkType.Idat:
                    if (idatClosed)
                    {
                        throw new ImageDecodeException("The PNG image data chunks are not consecutive.");
                    }

                    idat.Add((chunk.DataOffset, chunk.Data.Length));
                    compressedLength += chunk.Data.Length;
                    break;
                case PngChunkType.Iend:
                    ended = true;
                    break;
                default:
                    if (PngChunkType.IsCritical(chunk.Type))
                    {
                        throw new ImageDecodeException($"The PNG data has an unknown critical chunk {PngChunkType.Name(chunk.Type)}.");
                    }

                    break;
            }
        }

        if (compressedLength == 0)
        {
            throw new ImageDecodeException("The PNG data has no image data (IDAT).");
        }

        if (header.ColorType == PngColorType.Palette && palette.IsEmpty)
        {
            throw new ImageDecodeException("The indexed-colour PNG has no palette.");
        }

        // The chunks lie inside `data`, so this copy is bounded by the input size, not by a header value.
        var compressed = new byte[compressedLength];
        var written = 0;
        foreach (var (offset, length) in idat)
        {
            data.Slice(offset, length).CopyTo(compressed.AsSpan(written));
            written += length;
        }

        var unpacker = new PngPixelUnpacker(header, palette, transparency);
        try
        {
            return Inflate(header, compressed, unpacker);
        }
        catch (InvalidDataException ex)
        {
            throw new ImageDecodeException("The PNG image data is not valid zlib data.", ex);
        }
    }

    private static RgbaImage Inflate(PngHeader header, byte[] compressed, PngPixelUnpacker unpacker)
    {
        var image = new RgbaImage(header.Width, header.Height);
        var pixels = image.Pixels;
        var stride = header.Width * 4;
        var maxRowBytes = header.RowBytes(header.Width);
        var current = new byte[maxRowBytes + 1];
        var previous = new byte[maxRowBytes + 1];

        using var source = new MemoryStream(compressed, writable: false);
        using var zlib = new ZLibStream(source, CompressionMode.Decompress);
        foreach (var (x0, y0, dx, dy) in header.Interlaced ? Adam7Passes : SinglePass)
        {
            var passWidth = header.Width > x0 ? (header.Width - x0 + dx - 1) / dx : 0;
            var passHeight = header.Height > y0 ? (header.Height - y0 + dy - 1) / dy : 0;
            if (passWidth == 0 || passHeight == 0)
            {
                continue;
            }

            var rowLength = header.RowBytes(passWidth) + 1;
            Array.Clear(previous);
            for (var row = 0; row < passHeight; row++)
            {
                // Reading exactly what the header implies stops the inflater there: a zip bomb cannot make it expand further.
                var line = current.AsSpan(0, rowLength);
                if (zlib.ReadAtLeast(line, rowLength, throwOnEndOfStream: false) < rowLength)
                {
                    throw new ImageDecodeException("The PNG image data is truncated.");
                }

                PngFilter.Unfilter(line[0], line[1..], previous.AsSpan(1, rowLength - 1), header.FilterStride);
                var y = y0 + (row * dy);
                unpacker.Unpack(line[1..], passWidth, pixels.AsSpan((y * stride) + (x0 * 4), stride - (x0 * 4)), dx * 4);
                (current, previous) = (previous, current);
            }
        }

        return image;
    }
}
