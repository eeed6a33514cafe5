using Easel.Imaging.Synthesis;

namespace Easel.Imaging.Tests.Synthesis;

public sealed class GridMultigridTests
{
    // x, y and x*y are discrete-harmonic (the five-point Laplacian of each is zero), so the membrane that meets them on
    // a hole's border is exactly them inside: the error of a solve is measurable without a reference solver.
    private static readonly Func<int, int, float>[] Harmonic = [(x, _) => x, (_, y) => y, (x, y) => x * y / 100f];

    public static TheoryData<string> Shapes => new() { "box", "disk", "ring", "strokes" };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Ten_iterations_solve_a_membrane_across_a_large_hole_to_a_twentieth_of_a_level(string shape)
    {
        var problem = Problem.Make(shape, 200, screening: 0);
        var solution = new float[problem.Count * GridMultigrid.Lanes];
        var solver = new GridMultigrid(problem.Positions, problem.Columns, problem.Neighbours, problem.Diagonal, problem.Screening, CancellationToken.None);

        var before = problem.MaxError(solution);
        solver.Solve(solution, [.. problem.Rhs], 10, CancellationToken.None);
        var after = problem.MaxError(solution);

        Assert.True(solver.Levels >= 4, $"{solver.Levels} grids");
        Assert.True(before > 50, $"start error {before}");
        // Measured: 0.008-0.018 (box), from 270-300.
        Assert.True(after < 0.05f, $"error after ten iterations {after} (start {before}), {problem.Count} unknowns");
    }

    // The same ten iterations preconditioned by Gauss-Seidel alone leave a third of the error: what the coarse grids are for.
    [Fact]
    public void Without_the_coarse_grids_ten_iterations_leave_the_membrane_far_from_converged()
    {
        var problem = Problem.Make("box", 200, screening: 0);
        var solution = new float[problem.Count * GridMultigrid.Lanes];
        var single = new GridMultigrid(problem.Positions, problem.Columns, problem.Neighbours, problem.Diagonal, problem.Screening, CancellationToken.None, maxLevels: 1);

        single.Solve(solution, [.. problem.Rhs], 10, CancellationToken.None);

        Assert.Equal(1, single.Levels);
        // Measured: 101.
        Assert.True(problem.MaxError(solution) > 10, $"error {problem.MaxError(solution)}");
    }

    // With screening the exact solution is no longer known in closed form: the residual is the measure.
    // "corner" touches the image's edges, where a pixel has fewer neighbours (and the harmonic values are no solution).
    [Theory]
    [InlineData("strokes", 0.001f)]
    [InlineData("strokes", 0.01f)]
    [InlineData("corner", 0.00001f)]
    [InlineData("corner", 0.01f)]
    public void The_residual_of_a_screened_system_falls_a_thousandfold_in_eight_iterations(string shape, float screening)
    {
        var problem = Problem.Make(shape, 160, screening);
        var solution = new float[problem.Count * GridMultigrid.Lanes];
        var solver = new GridMultigrid(problem.Positions, problem.Columns, problem.Neighbours, problem.Diagonal, problem.Screening, CancellationToken.None);

        var before = solver.MaxResidual(solution, problem.Rhs);
        solver.Solve(solution, [.. problem.Rhs], 8, CancellationToken.None);
        var after = solver.MaxResidual(solution, problem.Rhs);

        Assert.True(after < before / 1000, $"residual {before} -> {after}");
        if (shape != "corner")
        {
            Assert.True(problem.MaxError(solution) < 0.1f, $"error {problem.MaxError(solution)}");
        }
    }

    // Odd widths (cells cut by the last column and row) and problems small enough for a single grid solve as well.
    [Theory]
    [InlineData("disk", 7)]
    [InlineData("box", 8)]
    [InlineData("disk", 97)]
    [InlineData("strokes", 101)]
    public void Small_and_odd_sized_membranes_solve(string shape, int size)
    {
        var problem = Problem.Make(shape, size, screening: 0);
        var solution = new float[problem.Count * GridMultigrid.Lanes];
        var solver = new GridMultigrid(problem.Positions, problem.Columns, problem.Neighbours, problem.Diagonal, problem.Screening, CancellationToken.None);

        solver.Solve(solution, [.. problem.Rhs], 10, CancellationToken.None);

        Assert.True(problem.Count > 0);
        Assert.True(problem.MaxError(solution) < 0.05f, $"error {problem.MaxError(solution)}, {problem.Count} unknowns, {solver.Levels} grids");
    }

    // Conjugate gradients need a symmetric preconditioner: <u, M v> = <M u, v> for any u, v.
    [Theory]
    [InlineData("disk", 0f)]
    [InlineData("corner", 0.01f)]
    public void The_preconditioner_is_symmetric(string shape, float screening)
    {
        var problem = Problem.Make(shape, 96, screening);
        var solver = new GridMultigrid(problem.Positions, problem.Columns, problem.Neighbours, problem.Diagonal, problem.Screening, CancellationToken.None);
        var random = new Random(5);
        var u = new float[problem.Count * GridMultigrid.Lanes];
        var v = new float[u.Length];
        for (var i = 0; i < u.Length; i++)
        {
            u[i] = (float)random.NextDouble() - 0.5f;
            v[i] = (float)random.NextDouble() - 0.5f;
        }

        var mu = new float[u.Length];
        var mv = new float[u.Length];
        solver.Precondition(u, mu, CancellationToken.None);
        solver.Precondition(v, mv, CancellationToken.None);

        double uMv = 0, muV = 0;
        for (var i = 0; i < u.Length; i++)
        {
            uMv += u[i] * mv[i];
            muV += mu[i] * v[i];
        }

        Assert.True(solver.Levels >= 3, $"{solver.Levels} grids");
        // Measured: a relative difference of 3e-7 (float rounding); with 23 coarsest sweeps instead of 24, 3e-5.
        Assert.True(Math.Abs(uMv - muV) < 5e-6 * Math.Abs(uMv), $"<u, Mv> = {uMv}, <Mu, v> = {muV}");
    }

    [Fact]
    public void Arrays_of_the_wrong_length_are_refused_before_any_work()
    {
        var problem = Problem.Make("disk", 40, screening: 0);
        var solver = new GridMultigrid(problem.Positions, problem.Columns, problem.Neighbours, problem.Diagonal, problem.Screening, CancellationToken.None);

        Assert.Throws<ArgumentException>(() => solver.Solve(new float[3], problem.Rhs, 2, CancellationToken.None));
        Assert.Throws<ArgumentException>(() => solver.Solve(new float[problem.Rhs.Length], new float[4], 2, CancellationToken.None));
    }

    [Fact]
    public void A_cancelled_token_stops_the_solve()
    {
        var problem = Problem.Make("disk", 120, screening: 0);
        var solver = new GridMultigrid(problem.Positions, problem.Columns, problem.Neighbours, problem.Diagonal, problem.Screening, CancellationToken.None);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => solver.Solve(new float[problem.Count * GridMultigrid.Lanes], problem.Rhs, 4, cancelled.Token));
    }

    // A hole in a size x size grid, every pixel outside it fixed at the harmonic functions' values (three channels).
    private sealed record Problem(int[] Xs, int[] Ys, int[] Neighbours, float[] Diagonal, float[] Screening, float[] Rhs)
    {
        public int Count => Xs.Length;

        public int Columns { get; init; }

        public int[] Positions => [.. Xs.Select((x, k) => (Ys[k] * Columns) + x)];

        public static Problem Make(string shape, int size, float screening)
        {
            var hole = new bool[size * size];
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    var inner = x > 0 && y > 0 && x < size - 1 && y < size - 1;
                    float dx = x - (size / 2f), dy = y - (size / 2f), r = MathF.Sqrt((dx * dx) + (dy * dy));
                    // Only "corner" reaches the image's edges; the other shapes keep a fixed pixel all round.
                    hole[(y * size) + x] = shape == "corner" ? x < size * 2 / 3 && y < size * 2 / 3 : inner && shape switch
                    {
                        "box" => x > size / 8 && x < size * 7 / 8 && y > size / 8 && y < size * 7 / 8,
                        "disk" => r < size * 0.45f,
                        "ring" => r < size * 0.45f && r > size * 0.2f,
                        _ => Math.Abs(((x + (2 * y)) % 60) - 30) < 12 || Math.Abs(x - (size / 2)) < 9,
                    };
                }
            }

            var index = new int[size * size];
            var count = 0;
            for (var i = 0; i < hole.Length; i++)
            {
                index[i] = hole[i] ? count++ : -1;
            }

            var xs = new int[count];
            var ys = new int[count];
            var neighbours = new int[count * 4];
            var diagonal = new float[count];
            var rhs = new float[count * GridMultigrid.Lanes];
            for (var i = 0; i < hole.Length; i++)
            {
                var k = index[i];
                if (k < 0)
                {
                    continue;
                }

                int x = i % size, y = i / size;
                xs[k] = x;
                ys[k] = y;
                diagonal[k] = screening;
                var s = 0;
                foreach (var (nx, ny) in (ReadOnlySpan<(int, int)>)[(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)])
                {
                    if (nx < 0 || ny < 0 || nx >= size || ny >= size)
                    {
                        // Outside the image: no neighbour, no coupling.
                        neighbours[(k * 4) + s++] = -1;
                        continue;
                    }

                    diagonal[k] += 1;
                    var n = index[(ny * size) + nx];
                    neighbours[(k * 4) + s++] = n;
                    if (n < 0)
                    {
                        for (var c = 0; c < Harmonic.Length; c++)
                        {
                            rhs[(k * GridMultigrid.Lanes) + c] += Harmonic[c](nx, ny);
                        }
                    }
                }

                // Screening towards the harmonic value itself keeps it the exact solution.
                for (var c = 0; c < Harmonic.Length; c++)
                {
                    rhs[(k * GridMultigrid.Lanes) + c] += screening * Harmonic[c](x, y);
                }
            }

            var screenings = new float[count];
            Array.Fill(screenings, screening);
            return new Problem(xs, ys, neighbours, diagonal, screenings, rhs) { Columns = size };
        }

        public float MaxError(float[] solution)
        {
            var max = 0f;
            for (var k = 0; k < Count; k++)
            {
                for (var c = 0; c < Harmonic.Length; c++)
                {
                    max = Math.Max(max, Math.Abs(solution[(k * GridMultigrid.Lanes) + c] - Harmonic[c](Xs[k], Ys[k])));
                }
            }

            return max;
        }
    }
}
