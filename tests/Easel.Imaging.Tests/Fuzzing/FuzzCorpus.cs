using Easel.Imaging.Tests.Codecs;
using Easel.Imaging.Tests.Codecs.Jpeg;

namespace Easel.Imaging.Tests.Fuzzing;

// Small valid files of every decoder path: cjpeg's variants (when the tools are there), the JPEG and PNG encoders,
// the independent test PNG writer's colour types, depths and interlacing, and WebP, GIF, TIFF and AVIF seeds.
internal static class FuzzCorpus
{
    public static List<byte[]> Build(bool withTools)
    {
        var corpus = new List<byte[]>();
        var photo = TestPhotos.Make(40, 28, seed: 7);
        if (withTools)
        {
            foreach (var arguments in new[]
            {
                "-sample 2x2", "-sample 1x1", "-sample 2x1", "-sample 1x2", "-sample 4x1", "-progressive -sample 2x2",
                "-progressive -sample 1x1", "-restart 1B -sample 2x2", "-restart 2B -progressive", "-grayscale",
                "-grayscale -progressive", "-rgb", "-quality 1", "-optimize -sample 2x2",
            })
            {
                corpus.Add(JpegTools.Cjpeg(photo, arguments.Split(' ')));
            }

            corpus.Add(JpegDecodingTests.WithExifOrientation(JpegTools.Cjpeg(photo, "-sample", "1x1"), 6, bigEndian: true));
        }

        var rgba = JpegEncodingTests.Rgba(photo);
        corpus.Add(ImageCodec.EncodeJpeg(rgba, 80, JpegSubsampling.Yuv420));
        corpus.Add(ImageCodec.EncodeJpeg(rgba, 95, JpegSubsampling.Yuv444));
        corpus.Add(ImageCodec.EncodePng(rgba, 6));
        corpus.Add(PngDecodingTests.RandomPng(3, 2, 12, 10, true, 2).Build());
        corpus.Add(PngDecodingTests.RandomPng(0, 16, 7, 5, true, 3).Build());
        corpus.Add(PngDecodingTests.RandomPng(6, 8, 12, 10, false, 1).Build());
        corpus.Add(PngDecodingTests.RandomPng(4, 8, 9, 7, false, 4).Build());
        corpus.Add(PngDecodingTests.RandomPng(0, 1, 17, 3, false, 5).Build());
        corpus.AddRange(OtherFormatSeeds.Make(rgba));
        return corpus;
    }
}
