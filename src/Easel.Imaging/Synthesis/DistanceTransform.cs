namespace Easel.Imaging.Synthesis;

// Chamfer (3-4) distance from each hole pixel to the nearest known pixel, in pixels (within about 8% of the
// Euclidean distance). Two raster passes, O(pixels). It measures a hole's thickness (thin strokes take the
// fast path) and how deep into an outpainted border a patch sits.
internal static class DistanceTransform
{
    private const int Far = int.MaxValue / 4;

    public static float[] FromHole(byte[] hole, int width, int height)
    {
        var d = new int[hole.Length];
        for (var i = 0; i < d.Length; i++)
        {
            d[i] = hole[i] != 0 ? Far : 0;
        }

        for (var y = 0; y < height; y++)
        {
            var row = y * width;
            for (var x = 0; x < width; x++)
            {
                var i = row + x;
                if (d[i] == 0)
                {
                    continue;
                }

                var v = d[i];
                if (x > 0)
                {
                    v = Math.Min(v, d[i - 1] + 3);
                }

                if (y > 0)
                {
                    v = Math.Min(v, d[i - width] + 3);
                    if (x > 0)
                    {
                        v = Math.Min(v, d[i - width - 1] + 4);
                    }

                    if (x < width - 1)
                    {
                        v = Math.Min(v, d[i - width + 1] + 4);
                    }
                }

                d[i] = v;
            }
        }

        for (var y = height - 1; y >= 0; y--)
        {
            var row = y * width;
            for (var x = width - 1; x >= 0; x--)
            {
                var i = row + x;
                if (d[i] == 0)
                {
                    continue;
                }

                var v = d[i];
                if (x < width - 1)
                {
                    v = Math.Min(v, d[i + 1] + 3);
                }

                if (y < height - 1)
                {
                    v = Math.Min(v, d[i + width] + 3);
                    if (x < width - 1)
                    {
                        v = Math.Min(v, d[i + width + 1] + 4);
                    }

                    if (x > 0)
                    {
                        v = Math.Min(v, d[i + width - 1] + 4);
                    }
                }

                d[i] = v;
            }
        }

        var result = new float[d.Length];
        for (var i = 0; i < d.Length; i++)
        {
            result[i] = d[i] >= Far ? float.MaxValue : d[i] / 3f;
        }

        return result;
    }
}
