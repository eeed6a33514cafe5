namespace Easel.Imaging.Codecs.Jpeg;

// A canonical Huffman table (ITU T.81 Annex C) with a 9-bit lookahead: most codes resolve with one table read;
// longer ones fall back to the per-length maximum codes of Annex F.2.2.3.
internal sealed class JpegHuffmanTable
{
    public const int LookupBits = 9;

    // (code length << 8) | symbol for every 9-bit prefix whose code is at most 9 bits long; 0 otherwise.
    public readonly ushort[] Lookup = new ushort[1 << LookupBits];

    // Largest code of each length 1..16, -1 if none; [17] is a sentinel that ends the slow search.
    public readonly int[] MaxCode = new int[18];

    // Offset to add to a code of a given length to index Values.
    public readonly int[] ValueOffset = new int[17];

    public readonly byte[] Values = new byte[256];

    public JpegHuffmanTable(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values)
    {
        values.CopyTo(Values);
        var code = 0;
        var k = 0;
        for (var length = 1; length <= 16; length++)
        {
            int count = counts[length - 1];
            ValueOffset[length] = k - code;
            if (count > 0)
            {
                code += count;
                k += count;
                MaxCode[length] = code - 1;
            }
            else
            {
                MaxCode[length] = -1;
            }

            // A code that outgrows its length means the counts describe no prefix code (libjpeg: "Bogus Huffman table").
            if (code > 1 << length)
            {
                throw new ImageDecodeException("The JPEG data has an invalid Huffman table.");
            }

            code <<= 1;
        }

        MaxCode[17] = int.MaxValue;

        code = 0;
        k = 0;
        for (var length = 1; length <= LookupBits; length++)
        {
            for (var i = 0; i < counts[length - 1]; i++, k++, code++)
            {
                var shift = LookupBits - length;
                var entry = (ushort)((length << 8) | Values[k]);
                Lookup.AsSpan(code << shift, 1 << shift).Fill(entry);
            }

            code <<= 1;
        }
    }
}
