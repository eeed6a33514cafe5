using System.Runtime.CompilerServices;

namespace Easel.Imaging.Codecs.Jpeg;

// Reads entropy-coded bits MSB first through a 64-bit buffer. Byte stuffing (FF 00) is removed here; a marker or
// the end of the data stops consumption and the reader feeds zero bits from then on, as libjpeg does for a
// truncated scan. Every caller's loop is bounded by a block count, so the zero supply cannot make anything spin.
internal struct JpegBitReader
{
    private readonly byte[] _data;
    private readonly int _end;
    private int _position;
    private ulong _buffer;
    private int _bits;
    private bool _stopped;

    public JpegBitReader(byte[] data, int start, int end)
    {
        _data = data;
        _position = start;
        _end = end;
    }

    // Where the caller resumes parsing markers: at or before the marker that stopped the reader.
    public readonly int Position => _position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int DecodeHuffman(JpegHuffmanTable table)
    {
        if (_bits < 16)
        {
            Fill();
        }

        var entry = table.Lookup[(int)(_buffer >> (64 - JpegHuffmanTable.LookupBits))];
        if (entry != 0)
        {
            var length = entry >> 8;
            _buffer <<= length;
            _bits -= length;
            return entry & 0xFF;
        }

        return DecodeHuffmanSlow(table);
    }

    // The DIFF/coefficient value of a magnitude category (T.81 F.2.2.1 EXTEND).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReceiveExtend(int size)
    {
        if (size == 0)
        {
            return 0;
        }

        if (size > 16)
        {
            throw new ImageDecodeException($"The JPEG data has an invalid coefficient magnitude category {size}.");
        }

        if (_bits < size)
        {
            Fill();
        }

        var value = (int)(_buffer >> (64 - size));
        _buffer <<= size;
        _bits -= size;
        return value < 1 << (size - 1) ? value - (1 << size) + 1 : value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetBits(int count)
    {
        if (count == 0)
        {
            return 0;
        }

        if (_bits < count)
        {
            Fill();
        }

        var value = (int)(_buffer >> (64 - count));
        _buffer <<= count;
        _bits -= count;
        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetBit()
    {
        if (_bits < 1)
        {
            Fill();
        }

        var value = (int)(_buffer >> 63);
        _buffer <<= 1;
        _bits--;
        return value;
    }

    // At a restart interval boundary: drop the partial byte, then consume the RSTn marker if it is there.
    // A missing or different marker is tolerated (libjpeg resynchronises the same way); data just decodes as zeros.
    public void Restart()
    {
        _buffer = 0;
        _bits = 0;
        var p = _position;
        while (p + 1 < _end && !(_data[p] == 0xFF && _data[p + 1] is not 0x00 and not 0xFF))
        {
            p++;
        }

        if (p + 1 < _end && _data[p + 1] is >= 0xD0 and <= 0xD7)
        {
            _position = p + 2;
            _stopped = false;
        }
        else
        {
            _position = Math.Min(p, _end);
            _stopped = true;
        }
    }

    private int DecodeHuffmanSlow(JpegHuffmanTable table)
    {
        var maxCode = table.MaxCode;
        for (var length = JpegHuffmanTable.LookupBits + 1; length <= 16; length++)
        {
            var code = (int)(_buffer >> (64 - length));
            if (code <= maxCode[length])
            {
                _buffer <<= length;
                _bits -= length;
                return table.Values[(code + table.ValueOffset[length]) & 0xFF];
            }
        }

        // No code matches: corrupt data. libjpeg warns and yields 0; skipping the 16 bits keeps progress bounded.
        _buffer <<= 16;
        _bits -= 16;
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Fill()
    {
        var data = _data;
        // Fast path: eight bytes without 0xFF hold no stuffing and no marker, so whole bytes go in at once.
        if (!_stopped && _position + 8 <= _end)
        {
            var word = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(data.AsSpan(_position, 8));
            var inverted = ~word;
            if (((inverted - 0x0101010101010101UL) & ~inverted & 0x8080808080808080UL) == 0)
            {
                var count = (64 - _bits) >> 3;
                var kept = count == 8 ? word : word & ~(ulong.MaxValue >> (8 * count));
                _buffer |= kept >> _bits;
                _bits += 8 * count;
                _position += count;
                return;
            }
        }

        while (_bits <= 56)
        {
            ulong next;
            if (_stopped || _position >= _end)
            {
                next = 0;
            }
            else
            {
                var b = data[_position];
                if (b != 0xFF)
                {
                    _position++;
                    next = b;
                }
                else
                {
                    // Fill bytes (FF FF ...) may precede a marker; FF 00 is a stuffed data byte.
                    var p = _position + 1;
                    while (p < _end && data[p] == 0xFF)
                    {
                        p++;
                    }

                    if (p < _end && data[p] == 0x00)
                    {
                        _position = p + 1;
                        next = 0xFF;
                    }
                    else
                    {
                        _position = p - 1;
                        _stopped = true;
                        next = 0;
                    }
                }
            }

            _buffer |= next << (56 - _bits);
            _bits += 8;
        }
    }
}
