namespace Easel.Imaging.Tests.Geometry;

public sealed class PolygonRasterizerTests
{
    [Theory]
    [InlineData(10f, 10f, 20f, 20f)]
    [InlineData(10.25f, 10.25f, 20.75f, 20.75f)]
    [InlineData(3.3f, 7.9f, 40.1f, 8.6f)]
    public void Axis_aligned_rectangle_coverage_sums_to_its_area(float x0, float y0, float x1, float y1)
    {
        var mask = new AlphaMask(64, 64);

        PolygonRasterizer.Fill(mask, [x0, y0, x1, y0, x1, y1, x0, y1]);

        // Horizontal extent is exact; each horizontal edge is sampled at 16 rows per pixel, so it may be off by 1/16 of a row.
        var area = (x1 - x0) * (y1 - y0);
        var tolerance = 0.5 + (2 * (x1 - x0) / 16);
        Assert.InRange(Coverage(mask), area - tolerance, area + tolerance);
    }

    [Fact]
    public void Pixel_aligned_square_is_fully_covered_inside_and_empty_outside()
    {
        var mask = new AlphaMask(8, 8);

        PolygonRasterizer.Fill(mask, [2, 2, 6, 2, 6, 6, 2, 6]);

        for (var y = 0; y < 8; y++)
        {
            for (var x = 0; x < 8; x++)
            {
                Assert.Equal(x is >= 2 and < 6 && y is >= 2 and < 6 ? 255 : 0, mask.Values[(y * 8) + x]);
            }
        }
    }

    [Fact]
    public void Diagonal_edge_gives_half_coverage_on_the_pixels_it_crosses()
    {
        var mask = new AlphaMask(10, 10);

        PolygonRasterizer.Fill(mask, [0, 0, 10, 10, 0, 10]);

        Assert.InRange((int)mask.Values[(5 * 10) + 5], 120, 135);
        Assert.Equal(255, mask.Values[(8 * 10) + 2]);
        Assert.Equal(0, mask.Values[(2 * 10) + 8]);
        Assert.InRange(Coverage(mask), 49.5, 50.5);
    }

    [Fact]
    public void Overlapping_loops_wound_the_same_way_stay_filled_under_non_zero()
    {
        // Two clockwise squares, the second inside the first, in one polygon joined through (0,0):
        // even-odd would punch a hole, non-zero keeps it filled.
        var mask = new AlphaMask(20, 20);

        PolygonRasterizer.Fill(mask, [0, 0, 20, 0, 20, 20, 0, 20, 0, 0, 5, 5, 15, 5, 15, 15, 5, 15, 5, 5]);

        Assert.Equal(255, mask.Values[(10 * 20) + 10]);
    }

    [Fact]
    public void Inner_loop_wound_the_other_way_is_a_hole()
    {
        var mask = new AlphaMask(20, 20);

        PolygonRasterizer.Fill(mask, [0, 0, 20, 0, 20, 20, 0, 20, 0, 0, 5, 5, 5, 15, 15, 15, 15, 5, 5, 5]);

        Assert.Equal(0, mask.Values[(10 * 20) + 10]);
        Assert.Equal(255, mask.Values[(2 * 20) + 10]);
    }

    [Fact]
    public void Self_intersecting_bow_tie_fills_both_lobes()
    {
        var mask = new AlphaMask(20, 20);

        PolygonRasterizer.Fill(mask, [0, 0, 20, 20, 20, 0, 0, 20]);

        Assert.Equal(255, mask.Values[(10 * 20) + 1]);
        Assert.Equal(255, mask.Values[(10 * 20) + 18]);
        Assert.Equal(0, mask.Values[(1 * 20) + 10]);
        Assert.InRange(Coverage(mask), 199.5, 200.5);
    }

    [Fact]
    public void Polygon_partly_outside_the_mask_is_clipped()
    {
        var mask = new AlphaMask(10, 10);

        PolygonRasterizer.Fill(mask, [-5, -5, 5, -5, 5, 5, -5, 5]);

        Assert.InRange(Coverage(mask), 24.5, 25.5);
        Assert.Equal(255, mask.Values[0]);
    }

    [Fact]
    public void Huge_coordinates_cover_the_whole_mask_without_failing()
    {
        var mask = new AlphaMask(16, 16);

        PolygonRasterizer.Fill(mask, [-3e38f, -3e38f, 3e38f, -3e38f, 3e38f, 3e38f, -3e38f, 3e38f]);

        Assert.All(mask.Values, v => Assert.Equal(255, v));
    }

    [Fact]
    public void Polygon_entirely_outside_draws_nothing()
    {
        var mask = new AlphaMask(10, 10);

        PolygonRasterizer.Fill(mask, [20, 20, 30, 20, 30, 30]);
        PolygonRasterizer.Fill(mask, [-30, 2, -20, 2, -20, 8]);

        Assert.True(mask.IsEmpty());
    }

    [Theory]
    [InlineData(new float[0])]
    [InlineData(new float[] { 1, 1, 5, 5 })]
    [InlineData(new float[] { 1, 1, 5, 5, 9, 9 })]
    [InlineData(new float[] { 3, 3, 3, 3, 3, 3, 3, 3 })]
    public void Degenerate_polygons_draw_nothing(float[] points)
    {
        var mask = new AlphaMask(10, 10);

        PolygonRasterizer.Fill(mask, points);

        Assert.True(mask.IsEmpty());
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Non_finite_coordinates_are_rejected(float bad)
        => Assert.Throws<ArgumentException>(() => PolygonRasterizer.Fill(new AlphaMask(4, 4), [0, 0, bad, 0, 4, 4]));

    [Fact]
    public void Odd_number_of_coordinates_is_rejected()
        => Assert.Throws<ArgumentException>(() => PolygonRasterizer.Fill(new AlphaMask(4, 4), [0, 0, 4, 0, 4]));

    [Fact]
    public void Filling_unions_with_existing_values_by_maximum()
    {
        var mask = new AlphaMask(10, 1);
        Array.Fill(mask.Values, (byte)200);
        mask.Values[9] = 0;

        PolygonRasterizer.Fill(mask, [0, 0, 9.5f, 0, 9.5f, 1, 0, 1]);

        Assert.Equal(255, mask.Values[0]);
        Assert.InRange((int)mask.Values[9], 127, 128);
    }

    private static double Coverage(AlphaMask mask) => mask.Values.Sum(v => v / 255.0);
}
