namespace Easel.Imaging.Codecs.Jpeg;

// Entropy decoding of one scan (T.81 Annex F for sequential, Annex G for progressive), written into the
// components' coefficient arrays. Loops run over blocks, never over input bytes, so their length is set by the
// checked frame size whatever the data holds.
internal sealed partial class JpegDecoder
{
    private enum ScanMode
    {
        Sequential,
        DcFirst,
        DcRefine,
        AcFirst,
        AcRefine,
    }

    private int _eobRun;

    // Returns the position after the entropy-coded data, where marker parsing resumes.
    private int DecodeScan(ReadOnlySpan<byte> header, int dataStart)
    {
        if (_components.Length == 0)
        {
            throw new ImageDecodeException("The JPEG data has a scan before its frame header.");
        }

        if (++_scans > MaxScans)
        {
            throw new ImageDecodeException($"The JPEG data has more than {MaxScans} scans.");
        }

        if (header.Length < 1)
        {
            throw new ImageDecodeException("The JPEG scan header is too short.");
        }

        int count = header[0];
        if (count is < 1 or > 4 || header.Length < 4 + (2 * count))
        {
            throw new ImageDecodeException("The JPEG scan header is invalid or truncated.");
        }

        var scanComponents = new JpegComponent[count];
        var blocksPerMcu = 0;
        for (var i = 0; i < count; i++)
        {
            int id = header[1 + (2 * i)];
            int tables = header[2 + (2 * i)];
            var component = Array.Find(_components, c => c.Id == id)
                ?? throw new ImageDecodeException($"The JPEG scan refers to component {id}, which the frame does not have.");
            if (Array.IndexOf(scanComponents, component) >= 0)
            {
                throw new ImageDecodeException("The JPEG scan lists a component twice.");
            }

            if (tables >> 4 > 3 || (tables & 15) > 3)
            {
                throw new ImageDecodeException("The JPEG scan selects an invalid Huffman table.");
            }

            component.DcTable = _dcTables[tables >> 4];
            component.AcTable = _acTables[tables & 15];
            if (component.Quant is null)
            {
                component.Quant = (int[]?)_quantTables[component.QuantTable]?.Clone()
                    ?? throw new ImageDecodeException($"The JPEG data uses quantisation table {component.QuantTable} without defining it.");
            }

            scanComponents[i] = component;
            blocksPerMcu += component.H * component.V;
        }

        if (count > 1 && blocksPerMcu > 10)
        {
            throw new ImageDecodeException("The JPEG scan has more than 10 blocks per MCU.");
        }

        var p = 1 + (2 * count);
        int ss = header[p];
        int se = header[p + 1];
        int ah = header[p + 2] >> 4;
        int al = header[p + 2] & 15;
        var mode = SelectMode(count, ss, se, ah, al);
        foreach (var c in scanComponents)
        {
            var needsDc = mode is ScanMode.Sequential or ScanMode.DcFirst;
            var needsAc = mode is ScanMode.Sequential or ScanMode.AcFirst or ScanMode.AcRefine;
            if ((needsDc && c.DcTable is null) || (needsAc && c.AcTable is null))
            {
                throw new ImageDecodeException("The JPEG scan uses a Huffman table that was not defined.");
            }

            c.DcPredictor = 0;
        }

        _eobRun = 0;
        var reader = new JpegBitReader(_data, dataStart, _data.Length);
        var restart = _restartInterval;
        var mcu = 0;
        if (count == 1)
        {
            // Non-interleaved: one block per MCU, covering only the blocks that hold samples (T.81 A.2.2).
            var c = scanComponents[0];
            for (var by = 0; by < c.BlocksHigh; by++)
            {
                for (var bx = 0; bx < c.BlocksWide; bx++, mcu++)
                {
                    if (restart > 0 && mcu > 0 && mcu % restart == 0)
                    {
                        Restart(ref reader, scanComponents);
                    }

                    var block = c.Coefficients.AsSpan((((by * c.BlocksPerLine) + bx) * 64), 64);
                    DecodeBlock(ref reader, mode, c, block, ss, se, al);
                }
            }
        }
        else
        {
            for (var my = 0; my < _mcusY; my++)
            {
                for (var mx = 0; mx < _mcusX; mx++, mcu++)
                {
                    if (restart > 0 && mcu > 0 && mcu % restart == 0)
                    {
                        Restart(ref reader, scanComponents);
                    }

                    foreach (var c in scanComponents)
                    {
                        for (var v = 0; v < c.V; v++)
                        {
                            var row = ((my * c.V) + v) * c.BlocksPerLine;
                            for (var h = 0; h < c.H; h++)
                            {
                                var block = c.Coefficients.AsSpan((row + (mx * c.H) + h) * 64, 64);
                                DecodeBlock(ref reader, mode, c, block, ss, se, al);
                            }
                        }
                    }
                }
            }
        }

        return reader.Position;
    }

    private ScanMode SelectMode(int count, int ss, int se, int ah, int al)
    {
        if (!_progressive)
        {
            // Sequential scans always carry all 64 coefficients; libjpeg only warns about other Ss/Se values.
            return ScanMode.Sequential;
        }

        var valid = ss == 0 ? se == 0 : se >= ss && se <= 63 && count == 1;
        if (!valid || ah > 13 || al > 13)
        {
            throw new ImageDecodeException("The progressive JPEG scan has an invalid spectral selection or approximation.");
        }

        return (ss == 0, ah == 0) switch
        {
            (true, true) => ScanMode.DcFirst,
            (true, false) => ScanMode.DcRefine,
            (false, true) => ScanMode.AcFirst,
            _ => ScanMode.AcRefine,
        };
    }

    private void Restart(ref JpegBitReader reader, JpegComponent[] scanComponents)
    {
        reader.Restart();
        foreach (var c in scanComponents)
        {
            c.DcPredictor = 0;
        }

        _eobRun = 0;
    }

    private void DecodeBlock(ref JpegBitReader reader, ScanMode mode, JpegComponent c, Span<short> block, int ss, int se, int al)
    {
        switch (mode)
        {
            case ScanMode.Sequential:
                DecodeSequential(ref reader, c, block);
                break;
            case ScanMode.DcFirst:
                var t = reader.DecodeHuffman(c.DcTable!);
                c.DcPredictor += reader.ReceiveExtend(t);
                block[0] = (short)(c.DcPredictor << al);
                break;
            case ScanMode.DcRefine:
                if (reader.GetBit() != 0)
                {
                    block[0] |= (short)(1 << al);
                }

                break;
            case ScanMode.AcFirst:
                DecodeAcFirst(ref reader, c.AcTable!, block, ss, se, al);
                break;
            default:
                DecodeAcRefine(ref reader, c.AcTable!, block, ss, se, al);
                break;
        }
    }

    private static void DecodeSequential(ref JpegBitReader reader, JpegComponent c, Span<short> block)
    {
        var t = reader.DecodeHuffman(c.DcTable!);
        c.DcPredictor += reader.ReceiveExtend(t);
        block[0] = (short)c.DcPredictor;
        var ac = c.AcTable!;
        var natural = JpegConstants.NaturalOrder;
        for (var k = 1; k < 64;)
        {
            var rs = reader.DecodeHuffman(ac);
            var size = rs & 15;
            var run = rs >> 4;
            if (size == 0)
            {
                if (run != 15)
                {
                    break;
                }

                k += 16;
                continue;
            }

            k += run;
            block[natural[k]] = (short)reader.ReceiveExtend(size);
            k++;
        }
    }

    private void DecodeAcFirst(ref JpegBitReader reader, JpegHuffmanTable ac, Span<short> block, int ss, int se, int al)
    {
        if (_eobRun > 0)
        {
            _eobRun--;
            return;
        }

        var natural = JpegConstants.NaturalOrder;
        for (var k = ss; k <= se;)
        {
            var rs = reader.DecodeHuffman(ac);
            var size = rs & 15;
            var run = rs >> 4;
            if (size == 0)
            {
                if (run < 15)
                {
                    _eobRun = (1 << run) - 1 + reader.GetBits(run);
                    break;
                }

                k += 16;
                continue;
            }

            k += run;
            block[natural[k]] = (short)(reader.ReceiveExtend(size) * (1 << al));
            k++;
        }
    }

    // T.81 G.1.2.3, in libjpeg's formulation (jdphuff.c decode_mcu_AC_refine).
    private void DecodeAcRefine(ref JpegBitReader reader, JpegHuffmanTable ac, Span<short> block, int ss, int se, int al)
    {
        var p1 = 1 << al;
        var m1 = -1 << al;
        var natural = JpegConstants.NaturalOrder;
        var k = ss;
        if (_eobRun == 0)
        {
            for (; k <= se; k++)
            {
                var rs = reader.DecodeHuffman(ac);
                var run = rs >> 4;
                var size = rs & 15;
                var value = 0;
                if (size != 0)
                {
                    // Any size but 1 is corrupt; libjpeg warns and reads the sign bit anyway.
                    value = reader.GetBit() != 0 ? p1 : m1;
                }
                else if (run != 15)
                {
                    _eobRun = (1 << run) + reader.GetBits(run);
                    break;
                }

                do
                {
                    ref var coefficient = ref block[natural[k]];
                    if (coefficient != 0)
                    {
                        if (reader.GetBit() != 0 && (coefficient & p1) == 0)
                        {
                            coefficient += (short)(coefficient >= 0 ? p1 : m1);
                        }
                    }
                    else if (--run < 0)
                    {
                        break;
                    }

                    k++;
                }
                while (k <= se);

                if (value != 0)
                {
                    block[natural[k]] = (short)value;
                }
            }
        }

        if (_eobRun > 0)
        {
            for (; k <= se; k++)
            {
                ref var coefficient = ref block[natural[k]];
                if (coefficient != 0 && reader.GetBit() != 0 && (coefficient & p1) == 0)
                {
                    coefficient += (short)(coefficient >= 0 ? p1 : m1);
                }
            }

            _eobRun--;
        }
    }
}
