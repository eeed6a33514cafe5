namespace Easel.Imaging;

/// <summary>
/// The one failure of decoding: every malformed, unsupported or too-large input ends in this type or a subclass.
/// </summary>
public class ImageDecodeException : Exception
{
    /// <summary>Creates the exception with a message meant for the uploader.</summary>
    public ImageDecodeException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>The bytes are a recognised image format that Easel cannot decode.</summary>
public sealed class UnsupportedImageFormatException : ImageDecodeException
{
    /// <summary>Creates the exception for <paramref name="format"/>; the message names it and the supported formats.</summary>
    public UnsupportedImageFormatException(ImageFormat format, string operation = "decoding")
        : base($"{ImageCodec.DisplayName(format)} {operation} is not supported{Reason(format)}; supported formats: {ImageCodec.SupportedFormats}")
    {
        Format = format;
    }

    private UnsupportedImageFormatException(ImageFormat format, string message, bool _)
        : base(message)
    {
        Format = format;
    }

    // HEIC's container is readable, its pixels are HEVC, for which the bundled libheif has no decoder (and which
    // carries its own patent pool).
    private static string Reason(ImageFormat format) => format switch
    {
        ImageFormat.Heic => " (HEVC-coded images cannot be decoded by this build)",
        _ => "",
    };

    /// <summary>The format the signature identified.</summary>
    public ImageFormat Format { get; }

    // A recognised format whose particular variant (say arithmetic-coded JPEG) Easel cannot decode.
    internal static UnsupportedImageFormatException ForFeature(ImageFormat format, string feature)
        => new(format, $"{feature}; supported formats: {ImageCodec.SupportedFormats}", false);
}

/// <summary>The header declares more pixels than allowed; raised before any pixel buffer is allocated.</summary>
public sealed class ImageTooLargeException : ImageDecodeException
{
    /// <summary>Creates the exception for a header declaring <paramref name="width"/> x <paramref name="height"/>.</summary>
    public ImageTooLargeException(long width, long height, long maxPixels)
        : base($"The image is {width}x{height} pixels; at most {maxPixels} pixels and {ImageLimits.MaxDimension} per side are allowed.")
    {
        Width = width;
        Height = height;
        MaxPixels = maxPixels;
    }

    /// <summary>The declared width.</summary>
    public long Width { get; }

    /// <summary>The declared height.</summary>
    public long Height { get; }

    /// <summary>The limit that was exceeded.</summary>
    public long MaxPixels { get; }
}
