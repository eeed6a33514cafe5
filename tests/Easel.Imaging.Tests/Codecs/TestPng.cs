using System.IO.Compression;
using System.Text;

namespace Easel.Imaging.Tests.Codecs;

// An independent PNG writer for tests: its own CRC (bitwise, no table), packing, filtering and Adam7
// ordering, so decoder bugs are not mirrored by shared code. Samples are given at the file's bit depth.
internal sealed record TestPng
{
    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
    [
        (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2),
    ];

    public required int Width { get; init; }

    public required int Height { get; init; }

    public required int BitDepth { get; init; }

    public required int ColorType { get; init; }

    // Row-major, Channels values per pixel.
    public required int[] Samples { get; init; }

    public bool Interlaced { get; init; }

    public byte[]? Palette { get; init; }

    public byte[]? Transparency { get; init; }

    public Func<int, int> FilterForRow { get; init; } = row => row % 5;

    public int IdatChunks { get; init; } = 1;

    public List<(string Type, byte[] Data)> ExtraChunks { get; } = [];

    public int Channels => ColorType switch { 0 or 3 => 1, 4 => 2, 2 => 3, _ => 4 };

    public byte[] Build() => BuildWithScanlines(Scanlines());

    public byte[] Scanlines()
    {
        using var raw = new MemoryStream();
        var passes = Interlaced ? Adam7 : [(0, 0, 1, 1)];
        foreach (var (x0, y0, dx, dy) in passes)
        {
            var pw = Width > x0 ? (Width - x0 + dx - 1) / dx : 0;
            var ph = Height > y0 ? (Height - y0 + dy - 1) / dy : 0;
            if (pw == 0 || ph == 0)
            {
                continue;
            }

            var bytesPerRow = ((pw * Channels * BitDepth) + 7) / 8;
            var previous = new byte[bytesPerRow];
            for (var r = 0; r < ph; r++)
            {
                var row = new byte[bytesPerRow];
                var bit = 0;
                for (var i = 0; i < pw; i++)
                {
                    var pixel = (((y0 + (r * dy)) * Width) + x0 + (i * dx)) * Channels;
                    for (var c = 0; c < Channels; c++)
                    {
                        var v = Samples[pixel + c];
                        if (BitDepth < 8)
                        {
                            row[bit / 8] |= (byte)(v << (8 - BitDepth - (bit % 8)));
                        }
                        else if (BitDepth == 8)
                        {
                            row[bit / 8] = (byte)v;
                        }
                        else
                        {
                            row[bit / 8] = (byte)(v >> 8);
                            row[(bit / 8) + 1] = (byte)v;
                        }

                        bit += BitDepth;
                    }
                }

                var filter = FilterForRow(r);
                raw.WriteByte((byte)filter);
                raw.Write(Filter(filter, row, previous, Math.Max(1, Channels * BitDepth / 8)));
                previous = row;
            }
        }

        return raw.ToArray();
    }

    public byte[] BuildWithScanlines(byte[] scanlines)
    {
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(scanlines);
        }

        var ihdr = new byte[13];
        WriteBigEndian(ihdr, 0, (uint)Width);
        WriteBigEndian(ihdr, 4, (uint)Height);
        ihdr[8] = (byte)BitDepth;
        ihdr[9] = (byte)ColorType;
        ihdr[12] = Interlaced ? (byte)1 : (byte)0;

        var chunks = new List<(string, byte[])> { ("IHDR", ihdr) };
        chunks.AddRange(ExtraChunks);
        if (Palette is not null)
        {
            chunks.Add(("PLTE", Palette));
        }

        if (Transparency is not null)
        {
            chunks.Add(("tRNS", Transparency));
        }

        var data = compressed.ToArray();
        var per = (data.Length + IdatChunks - 1) / IdatChunks;
        for (var i = 0; i < IdatChunks; i++)
        {
            var start = Math.Min(data.Length, i * per);
            chunks.Add(("IDAT", data[start..Math.Min(data.Length, start + per)]));
        }

        chunks.Add(("IEND", []));
        return File(chunks);
    }

    public static byte[] File(IEnumerable<(string Type, byte[] Data)> chunks)
    {
        using var file = new MemoryStream();
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        foreach (var (type, data) in chunks)
        {
            file.Write(Chunk(type, data));
        }

        return file.ToArray();
    }

    public static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[data.Length + 12];
        WriteBigEndian(chunk, 0, (uint)data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        WriteBigEndian(chunk, 8 + data.Length, Crc(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    // Rewrites the CRC of every complete chunk, so mutated files get past the CRC check into deeper code.
    public static void FixCrcs(byte[] file)
    {
        var offset = 8;
        while (offset + 12 <= file.Length)
        {
            var length = (long)ReadBigEndian(file, offset);
            if (offset + 12 + length > file.Length)
            {
                return;
            }

            WriteBigEndian(file, offset + 8 + (int)length, Crc(file.AsSpan(offset + 4, 4 + (int)length)));
            offset += 12 + (int)length;
        }
    }

    public static uint Crc(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
            }
        }

        return ~crc;
    }

    public static uint ReadBigEndian(byte[] data, int offset)
        => ((uint)data[offset] << 24) | ((uint)data[offset + 1] << 16) | ((uint)data[offset + 2] << 8) | data[offset + 3];

    public static void WriteBigEndian(byte[] data, int offset, uint value)
    {
        data[offset] = (byte)(value >> 24);
        data[offset + 1] = (byte)(value >> 16);
        data[offset + 2] = (byte)(value >> 8);
        data[offset + 3] = (byte)value;
    }

    private static byte[] Filter(int filter, byte[] row, byte[] previous, int bpp)
    {
        var output = new byte[row.Length];
        for (var i = 0; i < row.Length; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0;
            int b = previous[i];
            int c = i >= bpp ? previous[i - bpp] : 0;
            var predictor = filter switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                _ => Paeth(a, b, c),
            };
            output[i] = (byte)(row[i] - predictor);
        }

        return output;
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
