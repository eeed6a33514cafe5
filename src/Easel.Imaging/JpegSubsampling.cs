namespace Easel.Imaging;

/// <summary>Chroma resolution of an encoded JPEG.</summary>
public enum JpegSubsampling
{
    /// <summary>Chroma at half width and half height (4:2:0): the common choice for photos.</summary>
    Yuv420,

    /// <summary>Chroma at full resolution (4:4:4): sharper colour edges, larger files.</summary>
    Yuv444,
}
