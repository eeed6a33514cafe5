using Easel.Imaging.Tests.Codecs.Jpeg;

namespace Easel.Imaging.Tests.Codecs;

// libpng (through netpbm's pngtopnm/pnmtopng) as an independent reference: PNG pixels must match exactly.
public sealed class PngNetpbmTests
{
    [NetpbmFact]
    public void Pngtopnm_reads_our_png_exactly()
    {
        var image = JpegEncodingTests.Rgba(TestPhotos.Make(83, 41, seed: 6));

        var reference = Pnm.Parse(JpegTools.Run(JpegTools.Require("pngtopnm"), [], ImageCodec.EncodePng(image, 6)));

        Assert.Equal(image.Pixels, reference.ToRgba());
    }

    [NetpbmTheory]
    [InlineData("-interlace")]
    [InlineData("-compression=0")]
    [InlineData("-compression=9")]
    public void We_read_pnmtopng_output_exactly(string option)
    {
        var source = TestPhotos.Make(83, 41, seed: 7);

        var png = JpegTools.Run(JpegTools.Require("pnmtopng"), [option], source.Encode());

        Assert.Equal(source.ToRgba(), ImageCodec.Decode(png).Pixels);
    }
}

internal sealed class NetpbmFactAttribute : FactAttribute
{
    public NetpbmFactAttribute()
    {
        if (!File.Exists("/usr/bin/pngtopnm") && !JpegTools.OnCi)
        {
            Skip = "netpbm is not installed (apt-get install netpbm).";
        }
    }
}

internal sealed class NetpbmTheoryAttribute : TheoryAttribute
{
    public NetpbmTheoryAttribute()
    {
        if (!File.Exists("/usr/bin/pngtopnm") && !JpegTools.OnCi)
        {
            Skip = "netpbm is not installed (apt-get install netpbm).";
        }
    }
}
