namespace Easel.Imaging.Synthesis;

// One level of the pyramid: the image being synthesised (Target), the image patches are copied from
// (Source: the same array when filling a hole, the original when remixing), which pixels are unknown,
// which patch centres may be copied from and which are to be explained, and the nearest-neighbour field.
// Patch centres stay `Radius` pixels from every border, so a centre's patch never leaves the plane and a
// patch's pixel index is the centre's index plus a row/column offset.
internal sealed class SynthesisLevel
{
    public SynthesisLevel(int width, int height, int patchSize, float[] target, float[] source, byte[] unknown)
    {
        Width = width;
        Height = height;
        PatchSize = patchSize;
        Radius = patchSize / 2;
        Target = target;
        Source = source;
        Unknown = unknown;
    }

    public int Width { get; }

    public int Height { get; }

    public int PatchSize { get; }

    public int Radius { get; }

    public int PixelCount => Width * Height;

    public float[] Target { get; }

    public float[] Source { get; }

    public byte[] Unknown { get; }

    // Filled by Prepare.
    public int[] UnknownList { get; private set; } = [];

    public int[] HoleIndex { get; private set; } = [];

    public byte[] ValidSource { get; private set; } = [];

    public int[] Sources { get; private set; } = [];

    public byte[] IsTarget { get; private set; } = [];

    public int[] Targets { get; private set; } = [];

    public int[] Nnf { get; private set; } = [];

    public float[] Cost { get; private set; } = [];

    public float[] Weight { get; private set; } = [];

    public int[] Usage { get; private set; } = [];

    // Distance of each unknown pixel to the nearest known one (0 for known pixels).
    public float[] Depth { get; private set; } = [];

    // Outpainting guide: a smooth colour per pixel, its weight per target, and each source patch's mean colour.
    public float[]? Guide { get; set; }

    public float[]? GuideWeight { get; set; }

    public float[]? SourceMean { get; set; }

    // Completeness: known patches near the hole and the target patch each is best explained by.
    public int[] BandSources { get; private set; } = [];

    public int[] BandNnf { get; private set; } = [];

    public float[] BandCost { get; private set; } = [];

    public int ForbidRadius { get; set; }

    public int CornerOffset(int centre) => (centre - (Radius * (Width + 1))) * FeaturePlane.Channels;

    public bool IsInterior(int x, int y) => x >= Radius && y >= Radius && x < Width - Radius && y < Height - Radius;

    public bool CanSynthesise => Width >= PatchSize && Height >= PatchSize;

    // Sources: centres whose whole patch is known (and, when `allSources`, every interior centre).
    // Targets: centres whose patch touches an unknown pixel. Band: known sources within `bandWidth` of the hole.
    // `sourceReach` > 0 keeps only sources within that many pixels of the hole (unless fewer than 64 remain).
    public void Prepare(bool allSources, int bandWidth, float[]? depth = null, int sourceReach = 0)
    {
        var n = PixelCount;
        Depth = depth ?? DistanceTransform.FromHole(Unknown, Width, Height);
        HoleIndex = new int[n];
        var unknownCount = 0;
        for (var i = 0; i < n; i++)
        {
            HoleIndex[i] = Unknown[i] != 0 ? unknownCount++ : -1;
        }

        UnknownList = new int[unknownCount];
        int left = Width, top = Height, right = -1, bottom = -1;
        for (var i = 0; i < n; i++)
        {
            if (HoleIndex[i] >= 0)
            {
                UnknownList[HoleIndex[i]] = i;
                int x = i % Width, y = i / Width;
                left = Math.Min(left, x);
                right = Math.Max(right, x);
                top = Math.Min(top, y);
                bottom = y;
            }
        }

        HoleBox = (left, top, right, bottom);

        // A patch is free of unknown pixels iff no unknown pixel lies within Radius (Chebyshev) of its centre.
        var near = NearUnknown(Radius);
        var reach = sourceReach > 0 ? NearUnknown(Radius + sourceReach) : null;
        ValidSource = new byte[n];
        IsTarget = new byte[n];
        int sourceCount = 0, targetCount = 0;
        TargetTop = Height;
        TargetBottom = -1;
        for (var y = Radius; y < Height - Radius; y++)
        {
            for (var x = Radius; x < Width - Radius; x++)
            {
                var i = (y * Width) + x;
                if (near[i] != 0)
                {
                    IsTarget[i] = 1;
                    targetCount++;
                    TargetTop = Math.Min(TargetTop, y - Radius);
                    TargetBottom = y + Radius;
                }

                if (allSources || (near[i] == 0 && (reach is null || reach[i] != 0)))
                {
                    ValidSource[i] = 1;
                    sourceCount++;
                }
            }
        }

        if (reach is not null && sourceCount < 64)
        {
            // Too little around the hole: let it copy from anywhere in the image.
            Prepare(allSources, bandWidth, Depth, 0);
            return;
        }

        Sources = new int[sourceCount];
        Targets = new int[targetCount];
        sourceCount = targetCount = 0;
        for (var i = 0; i < n; i++)
        {
            if (IsTarget[i] != 0)
            {
                Targets[targetCount++] = i;
            }

            if (ValidSource[i] != 0)
            {
                Sources[sourceCount++] = i;
            }
        }

        Nnf = new int[n];
        Cost = new float[n];
        Weight = new float[n];
        Usage = new int[n];

        if (bandWidth > 0 && !allSources)
        {
            var band = NearUnknown(Radius + bandWidth);
            var count = 0;
            foreach (var s in Sources)
            {
                count += band[s];
            }

            BandSources = new int[count];
            count = 0;
            foreach (var s in Sources)
            {
                if (band[s] != 0)
                {
                    BandSources[count++] = s;
                }
            }

            BandNnf = new int[BandSources.Length];
            BandCost = new float[BandSources.Length];
        }
    }

    // The unknown pixels' bounding box (right < left when there are none).
    public (int Left, int Top, int Right, int Bottom) HoleBox { get; private set; }

    // Rows TargetTop..TargetBottom hold every pixel a target patch covers: the voting accumulator spans them.
    public int TargetTop { get; private set; }

    public int TargetBottom { get; private set; }

    public float[] Accumulator { get; set; } = [];

    public void Release()
    {
        Nnf = [];
        Cost = [];
        Weight = [];
        Usage = [];
        HoleIndex = [];
        ValidSource = [];
        IsTarget = [];
        Depth = [];
        Accumulator = [];
        Guide = null;
        GuideWeight = null;
        SourceMean = null;
    }

    // 1 where an unknown pixel lies within `radius` (Chebyshev): a running count along rows, then one down
    // the columns kept as a row of counters, so both passes read memory in order.
    private byte[] NearUnknown(int radius)
    {
        var n = PixelCount;
        var horizontal = new byte[n];
        for (var y = 0; y < Height; y++)
        {
            var row = y * Width;
            var count = 0;
            for (var x = 0; x < Math.Min(radius, Width); x++)
            {
                count += Unknown[row + x] != 0 ? 1 : 0;
            }

            for (var x = 0; x < Width; x++)
            {
                if (x + radius < Width)
                {
                    count += Unknown[row + x + radius] != 0 ? 1 : 0;
                }

                if (x - radius - 1 >= 0)
                {
                    count -= Unknown[row + x - radius - 1] != 0 ? 1 : 0;
                }

                horizontal[row + x] = count > 0 ? (byte)1 : (byte)0;
            }
        }

        var result = new byte[n];
        var counts = new int[Width];
        for (var y = 0; y < Math.Min(radius, Height); y++)
        {
            for (var x = 0; x < Width; x++)
            {
                counts[x] += horizontal[(y * Width) + x];
            }
        }

        for (var y = 0; y < Height; y++)
        {
            if (y + radius < Height)
            {
                var add = (y + radius) * Width;
                for (var x = 0; x < Width; x++)
                {
                    counts[x] += horizontal[add + x];
                }
            }

            if (y - radius - 1 >= 0)
            {
                var remove = (y - radius - 1) * Width;
                for (var x = 0; x < Width; x++)
                {
                    counts[x] -= horizontal[remove + x];
                }
            }

            var row = y * Width;
            for (var x = 0; x < Width; x++)
            {
                result[row + x] = counts[x] > 0 ? (byte)1 : (byte)0;
            }
        }

        return result;
    }
}
