using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Easel.Imaging.Synthesis;

// Solves  D_k x_k - sum_s W_ks x_(n(k,s)) = b_k  for x, where the unknowns k are pixels of a grid, n(k,s) is k's
// neighbour in direction s (left, right, up, down; absent where that pixel is not an unknown: its value is fixed
// and already in b and D), and each unknown carries four channels solved at once (one Vector128: the blend's red,
// green, blue and alpha).
// The blend's screened Poisson system has this form with W = 1. Successive over-relaxation (the blend's solver until
// session 4) removes an error of wavelength L only after about L sweeps, so across a 100-pixel hole a membrane did not
// converge in 40: steps between copies deep in a large smooth hole stayed. Multigrid removes smooth error on coarser
// grids, where it is rough.
//
// Coarse grids aggregate 2x2 cells (unknowns whose coordinates halve to the same cell), so they exist for any hole
// shape. A cell's equation is the sum of its unknowns' equations with every unknown replaced by the cell's value,
// except that the couplings between cells (and to fixed pixels) are halved: the plain sum (Galerkin's operator for
// piecewise-constant cells) is twice as stiff as the finer grid on smooth error, at every grid, so its corrections
// came out a half, a quarter, an eighth... too small and a V-cycle gained little (about 10% per cycle on the tests'
// membranes). Halved, a cell is again a pixel of a five-point membrane with the summed screening, and the system
// stays symmetric positive definite. The V-cycle (one Gauss-Seidel sweep forward before, one backward after) is the
// preconditioner of conjugate gradients: each iteration divides the error by 2.2-2.8 whatever the hole's size
// (GridMultigridTests), where Gauss-Seidel alone needs about L^2 sweeps for an error of wavelength L.
// Memory: about 100 bytes per unknown besides the caller's arrays, over all grids (about 56 on the finest, 40 on the
// coarser ones).
internal sealed class GridMultigrid
{
    public const int Lanes = 4;

    // Below this many unknowns a grid is solved by sweeps alone.
    private const int CoarsestCount = 32;

    private const int CoarsestSweeps = 24;


    private static readonly Vector128<float> DenormalGuard = Vector128.Create(1e-15f);

    private readonly List<Grid> _grids = [];

    // `neighbours` holds four entries per unknown (left, right, up, down): the neighbour's index or -1.
    // `diagonal` is D, of which `screening` is the part that is not a coupling to a neighbour (unknown or fixed); the
    // couplings to present neighbours weigh 1. `maxLevels` 1 makes it Gauss-Seidel alone (tests compare against that).
    // `positions` places each unknown on its grid: y * columns + x (the blend passes the pixels' indices in the image).
    public GridMultigrid(int[] positions, int columns, int[] neighbours, float[] diagonal, float[] screening, CancellationToken cancellationToken, int maxLevels = 16)
    {
        // The finest grid's couplings all weigh 1: no array for them (16 bytes per unknown).
        var grid = new Grid(positions, columns, neighbours, null, diagonal, screening);
        _grids.Add(grid);
        while (grid.Count > CoarsestCount && _grids.Count < maxLevels)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var coarse = grid.Coarsen();
            if (coarse.Count * 10 > grid.Count * 9)
            {
                // Scattered unknowns (rarely two in one cell) stop shrinking; more grids would cost without helping.
                break;
            }

            _grids.Add(coarse);
            grid = coarse;
        }
    }

    public int Levels => _grids.Count;

    // Improves `solution` (four floats per unknown; a start value, e.g. zero) towards the solution for `rhs` (which it
    // overwrites: it becomes the residual, saving an array as large as the solution) by
    // `iterations` steps of conjugate gradients preconditioned with one V-cycle each. CG over the V-cycle needs no
    // tuned over-correction (a plain V-cycle with piecewise-constant aggregation converges slowly, and over-corrected
    // enough to be fast it diverged on the tests' membranes) and each channel takes its own step lengths.
    public void Solve(float[] solution, float[] rhs, int iterations, CancellationToken cancellationToken)
    {
        var finest = _grids[0];
        var length = finest.Count * Lanes;
        // The loops below read and write without bounds checks.
        if (solution.Length != length || rhs.Length != length)
        {
            throw new ArgumentException($"solution and rhs must hold {Lanes} floats per unknown ({length})");
        }

        var residual = rhs;
        var product = finest.ResidualBuffer();
        finest.Multiply(solution, product, cancellationToken);
        ref var r = ref MemoryMarshal.GetArrayDataReference(residual);
        ref var q = ref MemoryMarshal.GetArrayDataReference(product);
        for (nuint at = 0; at < (nuint)length; at += (nuint)Lanes)
        {
            (Vector128.LoadUnsafe(ref r, at) - Vector128.LoadUnsafe(ref q, at)).StoreUnsafe(ref r, at);
        }

        var preconditioned = new float[length];
        var direction = new float[length];
        // A p (`product`) is needed only until the next preconditioning, which uses the finest grid's residual as
        // scratch: the two share it.
        ref var z = ref MemoryMarshal.GetArrayDataReference(preconditioned);
        ref var p = ref MemoryMarshal.GetArrayDataReference(direction);
        ref var x = ref MemoryMarshal.GetArrayDataReference(solution);
        var rz = Vector128<float>.Zero;
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Precondition(residual, preconditioned, cancellationToken);
            var rzNext = Dot(residual, preconditioned);
            var beta = iteration == 0 ? Vector128<float>.Zero : SafeDivide(rzNext, rz);
            rz = rzNext;
            for (nuint at = 0; at < (nuint)length; at += (nuint)Lanes)
            {
                (Vector128.LoadUnsafe(ref z, at) + (beta * Vector128.LoadUnsafe(ref p, at))).StoreUnsafe(ref p, at);
            }

            finest.Multiply(direction, product, cancellationToken);
            var alpha = SafeDivide(rz, Dot(direction, product));
            for (nuint at = 0; at < (nuint)length; at += (nuint)Lanes)
            {
                (((Vector128.LoadUnsafe(ref x, at) + (alpha * Vector128.LoadUnsafe(ref p, at))) + DenormalGuard) - DenormalGuard).StoreUnsafe(ref x, at);
                (Vector128.LoadUnsafe(ref r, at) - (alpha * Vector128.LoadUnsafe(ref q, at))).StoreUnsafe(ref r, at);
            }
        }
    }

    // The largest per-channel residual |b - A x| over the unknowns (tests measure convergence with it).
    public float MaxResidual(float[] solution, float[] rhs)
    {
        if (solution.Length != _grids[0].Count * Lanes || rhs.Length != solution.Length)
        {
            throw new ArgumentException($"solution and rhs must hold {Lanes} floats per unknown");
        }

        var product = new float[solution.Length];
        _grids[0].Multiply(solution, product, CancellationToken.None);
        var max = 0f;
        for (var i = 0; i < product.Length; i++)
        {
            max = Math.Max(max, Math.Abs(rhs[i] - product[i]));
        }

        return max;
    }

    // z = one V-cycle from zero for A z = r: symmetric (forward sweep before, backward after), as CG needs.
    // Internal for the test that it is symmetric (an odd number of coarsest sweeps, or the same direction before and
    // after, would make it not, and conjugate gradients would lose their guarantee).
    internal void Precondition(float[] residual, float[] result, CancellationToken cancellationToken)
    {
        var finest = _grids[0];
        Array.Clear(result);
        finest.Solution = result;
        finest.Rhs = residual;
        VCycle(0, cancellationToken);
    }

    private static Vector128<float> Dot(float[] a, float[] b)
    {
        ref var left = ref MemoryMarshal.GetArrayDataReference(a);
        ref var right = ref MemoryMarshal.GetArrayDataReference(b);
        var sum = Vector128<float>.Zero;
        for (nuint at = 0; at < (nuint)a.Length; at += (nuint)Lanes)
        {
            sum += Vector128.LoadUnsafe(ref left, at) * Vector128.LoadUnsafe(ref right, at);
        }

        return sum;
    }

    // Per channel; a channel with nothing to solve (zero right-hand side) divides 0 by 0 and takes 0.
    private static Vector128<float> SafeDivide(Vector128<float> numerator, Vector128<float> denominator) =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(denominator, Vector128<float>.Zero), numerator / denominator, Vector128<float>.Zero);

    private void VCycle(int level, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var grid = _grids[level];
        if (level == _grids.Count - 1)
        {
            // An even number: pairs of forward and backward sweeps keep the preconditioner symmetric.
            for (var sweep = 0; sweep < CoarsestSweeps; sweep++)
            {
                grid.Sweep(forward: sweep % 2 == 0, cancellationToken);
            }

            return;
        }

        grid.Sweep(forward: true, cancellationToken);
        grid.ComputeResidual(cancellationToken);
        var coarse = _grids[level + 1];
        coarse.Solution = coarse.Solution.Length == coarse.Count * Lanes ? coarse.Solution : new float[coarse.Count * Lanes];
        coarse.Rhs = coarse.Rhs.Length == coarse.Count * Lanes ? coarse.Rhs : new float[coarse.Count * Lanes];
        Array.Clear(coarse.Solution);
        grid.Restrict(coarse.Rhs);
        VCycle(level + 1, cancellationToken);
        grid.Prolong(coarse.Solution);
        grid.Sweep(forward: false, cancellationToken);
    }

    private readonly struct Weighted;

    private readonly struct Unweighted;

    // `weights` null: every coupling weighs 1.
    private sealed class Grid(int[] positions, int columns, int[] neighbours, float[]? weights, float[] diagonal, float[] screening)
    {
        private readonly float[] _inverseDiagonal = Inverse(diagonal);

        // The coarser grid's unknown each of this grid's unknowns belongs to (set by Coarsen).
        private int[] _parent = [];

        public int Count { get; } = positions.Length;

        public float[] Solution { get; set; } = [];

        public float[] Rhs { get; set; } = [];

        public float[] Residual { get; private set; } = [];

        public Grid Coarsen()
        {
            // Cells are numbered over the bounding box of the coarse positions.
            var coarseColumns = (columns + 1) / 2;
            int minX = int.MaxValue, minY = int.MaxValue, maxX = int.MinValue, maxY = int.MinValue;
            for (var k = 0; k < Count; k++)
            {
                int cx = (positions[k] % columns) >> 1, cy = (positions[k] / columns) >> 1;
                minX = Math.Min(minX, cx);
                maxX = Math.Max(maxX, cx);
                minY = Math.Min(minY, cy);
                maxY = Math.Max(maxY, cy);
            }

            var boxColumns = maxX - minX + 1;
            var cells = new int[boxColumns * (maxY - minY + 1)];
            Array.Fill(cells, -1);
            _parent = new int[Count];
            var coarseCount = 0;
            var coarsePositions = new List<int>();
            for (var k = 0; k < Count; k++)
            {
                int cx = (positions[k] % columns) >> 1, cy = (positions[k] / columns) >> 1;
                var cell = ((cy - minY) * boxColumns) + cx - minX;
                if (cells[cell] < 0)
                {
                    cells[cell] = coarseCount++;
                    coarsePositions.Add((cy * coarseColumns) + cx);
                }

                _parent[k] = cells[cell];
            }

            var coarseNeighbours = new int[coarseCount * 4];
            var coarseWeights = new float[coarseCount * 4];
            var coarseScreening = new float[coarseCount];
            var coarseCouplings = new float[coarseCount];
            Array.Fill(coarseNeighbours, -1);
            for (var k = 0; k < Count; k++)
            {
                var parent = _parent[k];
                coarseScreening[parent] += screening[k];
                // Every coupling of k, to unknowns and to fixed pixels, less those inside the cell (below).
                coarseCouplings[parent] += diagonal[k] - screening[k];
                for (var s = 0; s < 4; s++)
                {
                    var n = neighbours[(k * 4) + s];
                    if (n < 0)
                    {
                        continue;
                    }

                    var w = weights?[(k * 4) + s] ?? 1f;
                    var other = _parent[n];
                    if (other == parent)
                    {
                        coarseCouplings[parent] -= w;
                    }
                    else
                    {
                        // A grid neighbour in direction s lies in the cell's neighbour in direction s.
                        coarseNeighbours[(parent * 4) + s] = other;
                        coarseWeights[(parent * 4) + s] += w * 0.5f;
                    }
                }
            }

            var coarseDiagonal = new float[coarseCount];
            for (var c = 0; c < coarseCount; c++)
            {
                coarseDiagonal[c] = coarseScreening[c] + (coarseCouplings[c] * 0.5f);
            }

            return new Grid([.. coarsePositions], coarseColumns, coarseNeighbours, coarseWeights, coarseDiagonal, coarseScreening);
        }

        // One Gauss-Seidel sweep, in index order or against it (alternating keeps the smoothing symmetric).
        public void Sweep(bool forward, CancellationToken cancellationToken)
        {
            if (weights is null)
            {
                Sweep<Unweighted>(forward, cancellationToken);
            }
            else
            {
                Sweep<Weighted>(forward, cancellationToken);
            }
        }

        public void Multiply(float[] vector, float[] product, CancellationToken cancellationToken)
        {
            if (weights is null)
            {
                Multiply<Unweighted>(vector, product, cancellationToken);
            }
            else
            {
                Multiply<Weighted>(vector, product, cancellationToken);
            }
        }

        public void ComputeResidual(CancellationToken cancellationToken)
        {
            if (weights is null)
            {
                ComputeResidual<Unweighted>(cancellationToken);
            }
            else
            {
                ComputeResidual<Weighted>(cancellationToken);
            }
        }

        private void Sweep<TWeights>(bool forward, CancellationToken cancellationToken)
            where TWeights : struct
        {
            ref var x = ref MemoryMarshal.GetArrayDataReference(Solution);
            ref var b = ref MemoryMarshal.GetArrayDataReference(Rhs);
            for (var j = 0; j < Count; j++)
            {
                CheckEvery(j, cancellationToken);
                var k = forward ? j : Count - 1 - j;
                var at = (nuint)(k * Lanes);
                var sum = Vector128.LoadUnsafe(ref b, at) + NeighbourSum<TWeights>(ref x, k);

                // Adding and taking away a small constant rounds values below about 1e-22 to zero: far from any
                // mismatch they would otherwise decay into denormals, on which x86 arithmetic is a hundred times slower.
                (((sum * _inverseDiagonal[k]) + DenormalGuard) - DenormalGuard).StoreUnsafe(ref x, at);
            }
        }

        // product = A v.
        private void Multiply<TWeights>(float[] vector, float[] product, CancellationToken cancellationToken)
            where TWeights : struct
        {
            ref var v = ref MemoryMarshal.GetArrayDataReference(vector);
            ref var result = ref MemoryMarshal.GetArrayDataReference(product);
            for (var k = 0; k < Count; k++)
            {
                CheckEvery(k, cancellationToken);
                var at = (nuint)(k * Lanes);
                ((Vector128.LoadUnsafe(ref v, at) * diagonal[k]) - NeighbourSum<TWeights>(ref v, k)).StoreUnsafe(ref result, at);
            }
        }

        public float[] ResidualBuffer()
        {
            if (Residual.Length != Count * Lanes)
            {
                Residual = new float[Count * Lanes];
            }

            return Residual;
        }

        private void ComputeResidual<TWeights>(CancellationToken cancellationToken)
            where TWeights : struct
        {
            ResidualBuffer();
            ref var x = ref MemoryMarshal.GetArrayDataReference(Solution);
            ref var b = ref MemoryMarshal.GetArrayDataReference(Rhs);
            ref var r = ref MemoryMarshal.GetArrayDataReference(Residual);
            for (var k = 0; k < Count; k++)
            {
                CheckEvery(k, cancellationToken);
                var at = (nuint)(k * Lanes);
                (Vector128.LoadUnsafe(ref b, at) - (Vector128.LoadUnsafe(ref x, at) * diagonal[k]) + NeighbourSum<TWeights>(ref x, k)).StoreUnsafe(ref r, at);
            }
        }

        // The coarse right-hand side: each cell's residuals summed (the transpose of Prolong).
        public void Restrict(float[] coarseRhs)
        {
            Array.Clear(coarseRhs);
            ref var r = ref MemoryMarshal.GetArrayDataReference(Residual);
            ref var coarse = ref MemoryMarshal.GetArrayDataReference(coarseRhs);
            for (var k = 0; k < Count; k++)
            {
                var at = (nuint)(_parent[k] * Lanes);
                (Vector128.LoadUnsafe(ref coarse, at) + Vector128.LoadUnsafe(ref r, (nuint)(k * Lanes))).StoreUnsafe(ref coarse, at);
            }
        }

        public void Prolong(float[] coarseSolution)
        {
            ref var x = ref MemoryMarshal.GetArrayDataReference(Solution);
            ref var coarse = ref MemoryMarshal.GetArrayDataReference(coarseSolution);
            for (var k = 0; k < Count; k++)
            {
                var at = (nuint)(k * Lanes);
                (Vector128.LoadUnsafe(ref x, at) + Vector128.LoadUnsafe(ref coarse, (nuint)(_parent[k] * Lanes))).StoreUnsafe(ref x, at);
            }
        }

        // The (weighted) sum of the values of k's neighbours. Generic so that the JIT compiles the finest grid's
        // unweighted case on its own, without a weight to look up and multiply per neighbour.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector128<float> NeighbourSum<TWeights>(ref float x, int k)
            where TWeights : struct
        {
            var sum = Vector128<float>.Zero;
            for (var s = k * 4; s < (k * 4) + 4; s++)
            {
                var n = neighbours[s];
                if (n >= 0)
                {
                    var value = Vector128.LoadUnsafe(ref x, (nuint)(n * Lanes));
                    sum += typeof(TWeights) == typeof(Weighted) ? value * weights![s] : value;
                }
            }

            return sum;
        }

        // A pass over millions of unknowns takes a large fraction of a second: the token is checked within it.
        private static void CheckEvery(int k, CancellationToken cancellationToken)
        {
            if ((k & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        private static float[] Inverse(float[] values)
        {
            var inverse = new float[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                // Zero only for an unknown tied to nothing and unscreened (a singular system, which the blend never
                // builds): the sweeps then set it to zero instead of dividing by zero.
                inverse[i] = values[i] > 0 ? 1f / values[i] : 0f;
            }

            return inverse;
        }
    }
}
