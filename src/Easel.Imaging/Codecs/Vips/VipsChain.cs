using NetVips;

namespace Easel.Imaging.Codecs.Vips;

// The intermediate images of one pipeline, released together: each holds a reference to native state until disposed.
internal sealed class VipsChain : IDisposable
{
    private readonly List<Image> images = [];

    public Image Add(Image image)
    {
        images.Add(image);
        return image;
    }

    public void Dispose()
    {
        for (var i = images.Count - 1; i >= 0; i--)
        {
            images[i].Dispose();
        }

        images.Clear();
    }
}
