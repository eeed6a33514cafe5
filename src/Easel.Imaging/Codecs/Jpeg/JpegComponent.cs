namespace Easel.Imaging.Codecs.Jpeg;

// One colour component of a frame and the coefficients of all its blocks (natural order, not yet dequantised).
internal sealed class JpegComponent
{
    public JpegComponent(int id, int horizontal, int vertical, int quantTable)
    {
        Id = id;
        H = horizontal;
        V = vertical;
        QuantTable = quantTable;
    }

    public int Id { get; }

    public int H { get; }

    public int V { get; }

    public int QuantTable { get; }

    // Size of the component itself (libjpeg's downsampled_width/height): what upsampling treats as real samples.
    public int Width { get; set; }

    public int Height { get; set; }

    // Blocks that hold real samples, used by non-interleaved scans.
    public int BlocksWide { get; set; }

    public int BlocksHigh { get; set; }

    // Blocks allocated: the MCU grid of interleaved scans covers this padded area.
    public int BlocksPerLine { get; set; }

    public int BlocksPerColumn { get; set; }

    public short[] Coefficients { get; set; } = [];

    // Dequantisation table latched when the component's first scan starts (libjpeg's latch_quant_tables).
    public int[]? Quant { get; set; }

    public int DcPredictor { get; set; }

    public JpegHuffmanTable? DcTable { get; set; }

    public JpegHuffmanTable? AcTable { get; set; }

    // Pixels after the inverse DCT, BlocksPerLine * 8 wide.
    public byte[] Plane { get; set; } = [];

    public int PlaneStride => BlocksPerLine * 8;
}
