using System.Runtime.CompilerServices;

namespace Easel.Imaging.Synthesis;

// Telea, "An Image Inpainting Technique Based on the Fast Marching Method" (JGT 2004).
// The fast marching method visits hole pixels in order of their distance T from the known boundary;
// each becomes a weighted average of already-known pixels q within `radius`, weighted by direction
// (q along the front's normal through p), geometric distance (1/|p-q|^2) and level-set closeness
// (1/(1+|T(p)-T(q)|)). The paper's first-order term grad I(q).(p-q) is left out: extrapolating from
// pixels that were themselves filled feeds noise back into the front and diverges on textured
// boundaries (OpenCV bounds the same term to about one level for that reason).
// Colour is averaged premultiplied so transparent known pixels contribute no hidden colour.
// The work is confined to the hole's bounding box plus a margin, copied into cell arrays with a
// `radius`-wide frame of unavailable cells, so the neighbourhood loop needs no coordinate bounds checks
// and reads one compact buffer instead of strided image rows.
internal sealed class TeleaInpainter
{
    public const byte Known = 0;
    public const byte Boundary = 1;
    public const byte Filled = 2;
    public const byte Inside = 3;
    private const byte Outside = 4;

    private const float Unreached = 1e6f;
    private const int DeviationRadius = 3;

    // Per flag: does the cell carry a deviation estimate (known pixels away from the boundary do not).
    private static readonly float[] CarriesDeviation = [0, 1, 1, 0, 0];

    private readonly byte[] _pixels;
    private readonly byte[] _cells;
    private readonly int _imageWidth;
    private readonly int _frame;
    private readonly int _stride;
    private readonly Neighbour[] _neighbours;
    private readonly MinHeap _heap;

    private TeleaInpainter(byte[] pixels, int imageWidth, int imageHeight, byte[] hole, int radius, (int Left, int Top, int Right, int Bottom) bounds)
    {
        _pixels = pixels;
        _imageWidth = imageWidth;
        _frame = radius + 1;
        HoleBounds = bounds;

        // The margin holds the known pixels the neighbourhoods of boundary hole pixels read.
        var margin = radius + 1;
        Left = Math.Max(0, bounds.Left - margin);
        Top = Math.Max(0, bounds.Top - margin);
        Width = Math.Min(imageWidth, bounds.Right + 1 + margin) - Left;
        Height = Math.Min(imageHeight, bounds.Bottom + 1 + margin) - Top;
        _stride = Width + (2 * _frame);
        _neighbours = BuildNeighbours(radius, _stride);

        var cells = _stride * (Height + (2 * _frame));
        _cells = new byte[cells * 4];
        Flags = new byte[cells];
        Distance = new float[cells];
        Deviation = new float[cells];
        Flags.AsSpan().Fill(Outside);
        var inside = 0;
        for (var y = 0; y < Height; y++)
        {
            var holeRow = hole.AsSpan(((Top + y) * imageWidth) + Left, Width);
            var cell = Cell(0, y);
            for (var x = 0; x < Width; x++, cell++)
            {
                if (holeRow[x] > 0)
                {
                    Flags[cell] = Inside;
                    Distance[cell] = Unreached;
                    inside++;
                }
                else
                {
                    Flags[cell] = Known;
                    _pixels.AsSpan(PixelOffset(x, y), 4).CopyTo(_cells.AsSpan(cell * 4));
                }
            }
        }

        _heap = new MinHeap(inside + (2 * (Width + Height)));
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var cell = Cell(x, y);
                if (Flags[cell] == Known && TouchesHole(cell))
                {
                    Flags[cell] = Boundary;
                    Deviation[cell] = LocalDeviation(x, y);
                    _heap.Push(cell, 0);
                }
            }
        }
    }

    // The working region, in image coordinates.
    public int Left { get; }

    public int Top { get; }

    public int Width { get; }

    public int Height { get; }

    public (int Left, int Top, int Right, int Bottom) HoleBounds { get; }

    // Per cell (see Cell): Known, Boundary, Filled, Inside, or the unavailable frame.
    public byte[] Flags { get; }

    // T of the fast marching method: 0 on known pixels, about the distance to the boundary inside the hole.
    public float[] Distance { get; }

    // Local luminance standard deviation of the known pixels at the boundary, carried into the hole by the fill.
    public float[] Deviation { get; }

    public bool HasBoundary => _heap.Count > 0;

    public static TeleaInpainter? Create(byte[] pixels, int imageWidth, int imageHeight, byte[] hole, int radius)
    {
        int left = int.MaxValue, top = int.MaxValue, right = -1, bottom = -1;
        for (var y = 0; y < imageHeight; y++)
        {
            var row = hole.AsSpan(y * imageWidth, imageWidth);
            var first = row.IndexOfAnyExcept((byte)0);
            if (first < 0)
            {
                continue;
            }

            left = Math.Min(left, first);
            right = Math.Max(right, row.LastIndexOfAnyExcept((byte)0));
            top = Math.Min(top, y);
            bottom = y;
        }

        return right < 0 ? null : new TeleaInpainter(pixels, imageWidth, imageHeight, hole, radius, (left, top, right, bottom));
    }

    public int Cell(int x, int y) => ((y + _frame) * _stride) + x + _frame;

    public int PixelOffset(int x, int y) => (((Top + y) * _imageWidth) + Left + x) * 4;

    // Fills the hole in the cell arrays, then copies the filled pixels into the image.
    public void Run(CancellationToken cancellationToken)
    {
        var steps = 0;
        while (_heap.Count > 0)
        {
            if ((++steps & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var cell = _heap.Pop();
            Visit(cell - 1);
            Visit(cell + 1);
            Visit(cell - _stride);
            Visit(cell + _stride);
        }

        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var cell = Cell(x, y);
                if (Flags[cell] == Filled)
                {
                    _cells.AsSpan(cell * 4, 4).CopyTo(_pixels.AsSpan(PixelOffset(x, y), 4));
                }
            }
        }
    }

    private void Visit(int cell)
    {
        if (Flags[cell] != Inside)
        {
            return;
        }

        var t = Math.Min(
            Math.Min(Solve(cell - 1, cell - _stride), Solve(cell + 1, cell - _stride)),
            Math.Min(Solve(cell - 1, cell + _stride), Solve(cell + 1, cell + _stride)));
        Distance[cell] = t;
        Inpaint(cell, t);
        Flags[cell] = Filled;
        _heap.Push(cell, t);
    }

    // The upwind solution of |grad T| = 1 from two neighbours (Sethian), as in Telea's reference code.
    private float Solve(int a, int b)
    {
        var okA = Flags[a] < Inside;
        var okB = Flags[b] < Inside;
        if (okA && okB)
        {
            var ta = Distance[a];
            var tb = Distance[b];
            var d = ta - tb;
            return MathF.Abs(d) >= 1 ? 1 + MathF.Min(ta, tb) : (ta + tb + MathF.Sqrt(2 - (d * d))) * 0.5f;
        }

        return okA ? 1 + Distance[a] : okB ? 1 + Distance[b] : Unreached;
    }

    private void Inpaint(int cell, float tp)
    {
        var nx = DistanceSlope(cell - 1, cell + 1, tp);
        var ny = DistanceSlope(cell - _stride, cell + _stride, tp);
        var norm = MathF.Sqrt((nx * nx) + (ny * ny));
        if (norm > 0)
        {
            nx /= norm;
            ny /= norm;
        }

        var flags = Flags;
        var distance = Distance;
        var deviation = Deviation;
        var colours = _cells;
        float sr = 0, sg = 0, sb = 0, sa = 0, sw = 0, sd = 0, sdw = 0;
        foreach (var n in _neighbours)
        {
            var q = cell + n.Cell;
            var flag = flags[q];
            if (flag >= Inside)
            {
                continue;
            }

            // Telea's reference code drops near-tangential neighbours (|cos| <= 0.01) to 1e-6; a floor does the same without a branch.
            var direction = MathF.Max(MathF.Abs((n.Ux * nx) + (n.Uy * ny)), 1e-3f);
            var w = direction * n.InverseLengthSquared / (1f + MathF.Abs(distance[q] - tp));
            var o = q * 4;
            var wa = w * colours[o + 3];
            sr += wa * colours[o];
            sg += wa * colours[o + 1];
            sb += wa * colours[o + 2];
            sa += wa;
            sw += w;
            var wd = w * CarriesDeviation[flag];
            sd += wd * deviation[q];
            sdw += wd;
        }

        deviation[cell] = sdw > 0 ? sd / sdw : 0;
        var target = cell * 4;
        var alpha = sa / sw;
        if (alpha < 0.5f)
        {
            colours.AsSpan(target, 4).Clear();
            return;
        }

        colours[target] = ToByte(sr / sa);
        colours[target + 1] = ToByte(sg / sa);
        colours[target + 2] = ToByte(sb / sa);
        colours[target + 3] = ToByte(alpha);
    }

    private float DistanceSlope(int before, int after, float centre)
    {
        var okBefore = Flags[before] < Inside;
        var okAfter = Flags[after] < Inside;
        if (okBefore && okAfter)
        {
            return (Distance[after] - Distance[before]) * 0.5f;
        }

        if (okAfter)
        {
            return Distance[after] - centre;
        }

        return okBefore ? centre - Distance[before] : 0;
    }

    private bool TouchesHole(int cell)
        => Flags[cell - 1] == Inside || Flags[cell + 1] == Inside || Flags[cell - _stride] == Inside || Flags[cell + _stride] == Inside;

    private float LocalDeviation(int cx, int cy)
    {
        double sum = 0, sumSquares = 0;
        var n = 0;
        for (var y = Math.Max(0, cy - DeviationRadius); y <= Math.Min(Height - 1, cy + DeviationRadius); y++)
        {
            for (var x = Math.Max(0, cx - DeviationRadius); x <= Math.Min(Width - 1, cx + DeviationRadius); x++)
            {
                if (Flags[Cell(x, y)] == Inside)
                {
                    continue;
                }

                var luma = Luma(Cell(x, y) * 4);
                sum += luma;
                sumSquares += luma * luma;
                n++;
            }
        }

        var mean = sum / n;
        return (float)Math.Sqrt(Math.Max(0, (sumSquares / n) - (mean * mean)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double Luma(int offset)
        => ((0.2126 * _cells[offset]) + (0.7152 * _cells[offset + 1]) + (0.0722 * _cells[offset + 2])) * _cells[offset + 3] / 255;

    private static byte ToByte(float value) => value <= 0 ? (byte)0 : value >= 255 ? (byte)255 : (byte)(value + 0.5f);

    private static Neighbour[] BuildNeighbours(int radius, int stride)
    {
        var neighbours = new List<Neighbour>();
        for (var dy = -radius; dy <= radius; dy++)
        {
            for (var dx = -radius; dx <= radius; dx++)
            {
                var lengthSquared = (dx * dx) + (dy * dy);
                if (lengthSquared == 0 || lengthSquared > radius * radius)
                {
                    continue;
                }

                // (Ux, Uy) is the unit vector p - q for q = p + (dx, dy).
                var length = MathF.Sqrt(lengthSquared);
                neighbours.Add(new Neighbour((dy * stride) + dx, -dx / length, -dy / length, 1f / lengthSquared));
            }
        }

        return [.. neighbours];
    }

    private readonly record struct Neighbour(int Cell, float Ux, float Uy, float InverseLengthSquared);
}
