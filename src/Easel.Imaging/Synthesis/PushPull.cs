namespace Easel.Imaging.Synthesis;

// Push-pull interpolation (Gortler et al., "The Lumigraph", 1996): average the known pixels down a pyramid
// until nothing is missing, then pull the coarse values back up bilinearly into the missing pixels. It gives
// the smooth low-frequency extension of the known colours into a hole: the starting point at the coarsest
// level and the guide for outpainting. O(pixels).
internal static class PushPull
{
    private static readonly int[] ColourChannels = [FeaturePlane.Red, FeaturePlane.Green, FeaturePlane.Blue, FeaturePlane.Alpha, FeaturePlane.Texture];

    // Fills the colour (and texture) channels of the unknown pixels of `features` in place.
    public static void FillUnknown(float[] features, byte[] unknown, int width, int height)
    {
        const int count = 5;
        var values = new float[width * height * count];
        var known = new float[width * height];
        for (var i = 0; i < known.Length; i++)
        {
            if (unknown[i] == 0)
            {
                known[i] = 1;
                for (var c = 0; c < count; c++)
                {
                    values[(i * count) + c] = features[(i * FeaturePlane.Channels) + ColourChannels[c]];
                }
            }
        }

        Solve(values, known, width, height, count);
        for (var i = 0; i < known.Length; i++)
        {
            if (unknown[i] != 0)
            {
                for (var c = 0; c < count; c++)
                {
                    features[(i * FeaturePlane.Channels) + ColourChannels[c]] = values[(i * count) + c];
                }
            }
        }
    }

    // The smooth extension as RGB triples for every pixel (known pixels keep their colour).
    public static float[] Guide(float[] features, byte[] unknown, int width, int height)
    {
        var values = new float[width * height * 4];
        var known = new float[width * height];
        for (var i = 0; i < known.Length; i++)
        {
            if (unknown[i] == 0)
            {
                known[i] = 1;
                for (var c = 0; c < 3; c++)
                {
                    values[(i * 4) + c] = features[(i * FeaturePlane.Channels) + c];
                }
            }
        }

        Solve(values, known, width, height, 4);
        var guide = new float[width * height * 3];
        for (var i = 0; i < known.Length; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                guide[(i * 3) + c] = values[(i * 4) + c];
            }
        }

        return guide;
    }

    private static void Solve(float[] values, float[] known, int width, int height, int count)
    {
        var missing = false;
        foreach (var k in known)
        {
            if (k <= 0)
            {
                missing = true;
                break;
            }
        }

        if (!missing || (width == 1 && height == 1))
        {
            return;
        }

        int cw = (width + 1) / 2, ch = (height + 1) / 2;
        var coarse = new float[cw * ch * count];
        var coarseKnown = new float[cw * ch];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = (y * width) + x;
                if (known[i] <= 0)
                {
                    continue;
                }

                var ci = ((y / 2) * cw) + (x / 2);
                coarseKnown[ci] += known[i];
                for (var c = 0; c < count; c++)
                {
                    coarse[(ci * count) + c] += values[(i * count) + c] * known[i];
                }
            }
        }

        for (var ci = 0; ci < coarseKnown.Length; ci++)
        {
            if (coarseKnown[ci] > 0)
            {
                for (var c = 0; c < count; c++)
                {
                    coarse[(ci * count) + c] /= coarseKnown[ci];
                }

                coarseKnown[ci] = 1;
            }
        }

        if (cw == width && ch == height)
        {
            // A 1-pixel-wide strip that did not shrink: nothing known anywhere; leave zeros.
            return;
        }

        Solve(coarse, coarseKnown, cw, ch, count);
        for (var y = 0; y < height; y++)
        {
            var fy = Math.Clamp(((y + 0.5f) / 2) - 0.5f, 0, ch - 1);
            var y0 = (int)fy;
            var y1 = Math.Min(y0 + 1, ch - 1);
            var ty = fy - y0;
            for (var x = 0; x < width; x++)
            {
                var i = (y * width) + x;
                if (known[i] > 0)
                {
                    continue;
                }

                var fx = Math.Clamp(((x + 0.5f) / 2) - 0.5f, 0, cw - 1);
                var x0 = (int)fx;
                var x1 = Math.Min(x0 + 1, cw - 1);
                var tx = fx - x0;
                for (var c = 0; c < count; c++)
                {
                    var top = (coarse[(((y0 * cw) + x0) * count) + c] * (1 - tx)) + (coarse[(((y0 * cw) + x1) * count) + c] * tx);
                    var bottom = (coarse[(((y1 * cw) + x0) * count) + c] * (1 - tx)) + (coarse[(((y1 * cw) + x1) * count) + c] * tx);
                    values[(i * count) + c] = (top * (1 - ty)) + (bottom * ty);
                }
            }
        }
    }
}
