namespace Easel.Imaging.Geometry;

// Coverage = (sub-scanlines per pixel) vertical samples x exact horizontal span coverage. Each sub-scanline
// intersects the active edges, walks the crossings in x order keeping the winding number, and adds the
// fractional extent of every non-zero span to the pixels it touches. Edge maths is in double, so
// coordinates as large as float allows stay exact enough; spans are clamped to the mask before use.
internal sealed class ScanlineCoverage(int width, int height)
{
    private const int SubScanlines = 16;
    private const float SubWeight = 1f / SubScanlines;

    private readonly float[] _partial = new float[width + 1];
    private readonly float[] _fullRun = new float[width + 2];

    private readonly record struct Edge(double YTop, double YBottom, double XAtTop, double Slope, int Winding);

    public void Fill(byte[] values, ReadOnlySpan<float> xy)
    {
        var edges = BuildEdges(xy);
        if (edges.Length == 0)
        {
            return;
        }

        Array.Sort(edges, static (a, b) => a.YTop.CompareTo(b.YTop));
        var top = Math.Max(0, (int)Math.Floor(Math.Max(edges[0].YTop, -1)));
        var bottom = 0.0;
        foreach (var e in edges)
        {
            bottom = Math.Max(bottom, e.YBottom);
        }

        var lastRow = (int)Math.Min(height - 1, Math.Ceiling(Math.Min(bottom, height)));
        var active = new List<Edge>();
        var crossings = new List<(double X, int Winding)>();
        var nextEdge = 0;

        for (var row = top; row <= lastRow; row++)
        {
            Array.Clear(_partial);
            Array.Clear(_fullRun);
            var touched = false;
            for (var sub = 0; sub < SubScanlines; sub++)
            {
                var sy = row + ((sub + 0.5) / SubScanlines);
                while (nextEdge < edges.Length && edges[nextEdge].YTop <= sy)
                {
                    active.Add(edges[nextEdge++]);
                }

                crossings.Clear();
                var kept = 0;
                for (var i = 0; i < active.Count; i++)
                {
                    var e = active[i];
                    if (e.YBottom > sy)
                    {
                        active[kept++] = e;
                        crossings.Add((e.XAtTop + ((sy - e.YTop) * e.Slope), e.Winding));
                    }
                }

                active.RemoveRange(kept, active.Count - kept);

                if (crossings.Count < 2)
                {
                    continue;
                }

                crossings.Sort(static (a, b) => a.X.CompareTo(b.X));
                var winding = 0;
                for (var i = 0; i < crossings.Count - 1; i++)
                {
                    winding += crossings[i].Winding;
                    if (winding != 0)
                    {
                        touched |= AddSpan(crossings[i].X, crossings[i + 1].X);
                    }
                }
            }

            if (touched)
            {
                Resolve(values.AsSpan(row * width, width));
            }
        }
    }

    private Edge[] BuildEdges(ReadOnlySpan<float> xy)
    {
        var count = xy.Length / 2;
        var edges = new List<Edge>(count);
        for (var i = 0; i < count; i++)
        {
            double x0 = xy[2 * i], y0 = xy[(2 * i) + 1];
            var j = (i + 1) % count;
            double x1 = xy[2 * j], y1 = xy[(2 * j) + 1];
            if (y0 == y1)
            {
                continue;
            }

            var winding = 1;
            if (y0 > y1)
            {
                (x0, y0, x1, y1) = (x1, y1, x0, y0);
                winding = -1;
            }

            // Edges wholly above or below the mask cannot cross a sub-scanline.
            if (y1 <= 0 || y0 >= height)
            {
                continue;
            }

            edges.Add(new Edge(y0, y1, x0, (x1 - x0) / (y1 - y0), winding));
        }

        return [.. edges];
    }

    private bool AddSpan(double left, double right)
    {
        left = Math.Max(left, 0);
        right = Math.Min(right, width);
        if (right <= left)
        {
            return false;
        }

        var first = (int)left;
        var last = (int)right;
        if (first == last)
        {
            _partial[first] += (float)(right - left) * SubWeight;
            return true;
        }

        _partial[first] += (float)(first + 1 - left) * SubWeight;
        // Whole pixels in between go into a difference array so a long span costs O(1).
        _fullRun[first + 1] += SubWeight;
        _fullRun[last] -= SubWeight;
        if (last < width)
        {
            _partial[last] += (float)(right - last) * SubWeight;
        }

        return true;
    }

    private void Resolve(Span<byte> row)
    {
        float run = 0;
        for (var x = 0; x < row.Length; x++)
        {
            run += _fullRun[x];
            var coverage = run + _partial[x];
            if (coverage <= 0)
            {
                continue;
            }

            var value = coverage >= 1 ? (byte)255 : (byte)((coverage * 255) + 0.5f);
            if (value > row[x])
            {
                row[x] = value;
            }
        }
    }
}
