using System.Buffers.Binary;

namespace Easel.Imaging.Fuzzing;

// Structure-aware byte mutations for image files, shared by the CI fuzz test and the long-running harness in bench/.
// Half of all edits land in the first 512 bytes, where headers and tables live; PNG chunk CRCs are repaired half
// of the time so mutations get past the CRC check into the header, zlib and filter code.
internal static class Mutator
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, 0xC0, 0xC2, 0xC4, 0xD9, 0xDA, 0xDB, 0xDD, 0x10, 0x11, 0x22, 0x41];

    private static readonly uint[] CrcTable = BuildCrcTable();

    public static byte[] Mutate(byte[] seed, Random random)
    {
        var data = new List<byte>(seed);
        var edits = 1 + random.Next(random.Next(2) == 0 ? 3 : 12);
        for (var e = 0; e < edits && data.Count > 2; e++)
        {
            var at = random.Next(2) == 0 ? random.Next(Math.Min(512, data.Count)) : random.Next(data.Count);
            switch (random.Next(9))
            {
                case 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    data[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 2:
                    data[at] = (byte)random.Next(256);
                    break;
                case 3:
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(16)));
                    break;
                case 4:
                    var insert = new byte[1 + random.Next(16)];
                    random.NextBytes(insert);
                    data.InsertRange(at, insert);
                    break;
                case 5:
                    // Duplicate a span: repeated markers, chunks and tables.
                    var length = Math.Min(data.Count - at, 1 + random.Next(64));
                    data.InsertRange(random.Next(data.Count), data.GetRange(at, length));
                    break;
                case 6:
                    // Swap two bytes: reorders markers and table entries.
                    var other = random.Next(data.Count);
                    (data[at], data[other]) = (data[other], data[at]);
                    break;
                case 7:
                    // 16-bit big-endian fields (segment lengths, sizes) set to edge values.
                    if (at + 1 < data.Count)
                    {
                        var value = random.Next(4) switch { 0 => 0, 1 => 0xFFFF, 2 => random.Next(0x10000), _ => ((data[at] << 8) | data[at + 1]) + random.Next(-3, 4) };
                        data[at] = (byte)(value >> 8);
                        data[at + 1] = (byte)value;
                    }

                    break;
                default:
                    data = data.GetRange(0, Math.Max(2, random.Next(data.Count)));
                    break;
            }
        }

        var result = data.ToArray();
        if (random.Next(2) == 0)
        {
            FixPngCrcs(result);
        }

        return result;
    }

    // Recomputes each chunk's CRC where the chunk framing is intact; a no-op for non-PNG data.
    public static void FixPngCrcs(byte[] data)
    {
        if (data.Length < 8 || data[0] != 0x89 || data[1] != (byte)'P')
        {
            return;
        }

        var at = 8;
        while (at + 12 <= data.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at));
            if (length > (uint)(data.Length - at - 12))
            {
                return;
            }

            var crc = 0xFFFFFFFFu;
            foreach (var b in data.AsSpan(at + 4, 4 + (int)length))
            {
                crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
            }

            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(at + 8 + (int)length), crc ^ 0xFFFFFFFFu);
            at += 12 + (int)length;
        }
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
