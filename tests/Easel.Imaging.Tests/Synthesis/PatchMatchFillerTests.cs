using Easel.Imaging.Synthesis;

namespace Easel.Imaging.Tests.Synthesis;

public sealed class PatchMatchFillerTests
{
    private static readonly PatchMatchFiller Filler = new();

    public static TheoryData<string> Holes => new() { "box", "soft box", "scratches", "border" };

    [Theory]
    [MemberData(nameof(Holes))]
    public void Pixels_outside_the_hole_are_byte_identical_to_the_input(string kind)
    {
        var image = Textures.Fractal(120, 100, 1);
        var hole = Hole(kind, 120, 100);

        var filled = Filler.Fill(image, hole, 7, CancellationToken.None);

        var changed = 0;
        for (var i = 0; i < hole.Values.Length; i++)
        {
            if (hole.Values[i] == 0)
            {
                Assert.Equal(image.Pixels.AsSpan(i * 4, 4).ToArray(), filled.Pixels.AsSpan(i * 4, 4).ToArray());
            }
            else if (!image.Pixels.AsSpan(i * 4, 4).SequenceEqual(filled.Pixels.AsSpan(i * 4, 4)))
            {
                changed++;
            }
        }

        Assert.True(changed > 0, "the hole must be repainted");
    }

    [Fact]
    public void Input_image_and_mask_are_not_modified()
    {
        var image = Textures.Bricks(80, 80);
        var hole = Textures.Box(80, 80, 20, 20, 60, 60);
        var pixels = (byte[])image.Pixels.Clone();
        var values = (byte[])hole.Values.Clone();

        _ = Filler.Fill(image, hole, 1, CancellationToken.None);

        Assert.Equal(pixels, image.Pixels);
        Assert.Equal(values, hole.Values);
    }

    [Theory]
    [MemberData(nameof(Holes))]
    public void Same_seed_gives_identical_bytes(string kind)
    {
        var image = Textures.Fractal(100, 90, 2);
        var hole = Hole(kind, 100, 90);

        var first = Filler.Fill(image, hole, 42, CancellationToken.None);
        var second = Filler.Fill(image, hole, 42, CancellationToken.None);

        Assert.Equal(first.Pixels, second.Pixels);
    }

    [Theory]
    [MemberData(nameof(Holes))]
    public void Different_seeds_give_different_fills(string kind)
    {
        var image = Textures.Fractal(100, 90, 3);
        var hole = Hole(kind, 100, 90);

        var a = Filler.Fill(image, hole, 1, CancellationToken.None);
        var b = Filler.Fill(image, hole, 2, CancellationToken.None);

        var inside = Textures.MeanAbsoluteDifference(a, b, hole);
        Assert.True(inside > 1, $"inside the hole, seeds 1 and 2 differ by {inside:0.000} levels on average");
    }

    [Fact]
    public void Four_concurrent_fills_on_one_instance_equal_the_same_fills_run_alone()
    {
        var image = Textures.Fractal(140, 120, 4);
        var hole = Textures.Box(140, 120, 40, 30, 100, 90);
        var alone = Enumerable.Range(0, 4).Select(i => Filler.Fill(image, hole, i, CancellationToken.None)).ToArray();

        var together = new RgbaImage[4];
        Parallel.For(0, 4, i => together[i] = Filler.Fill(image, hole, i, CancellationToken.None));

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(alone[i].Pixels, together[i].Pixels);
        }
    }

    [Fact]
    public void An_already_cancelled_token_throws_before_any_work()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() =>
            Filler.Fill(Textures.Bricks(64, 64), Textures.Box(64, 64, 10, 10, 40, 40), 1, cts.Token));
    }

    // Every (level, iteration) the synthesis starts is a point where the user may cancel: cancel there and the
    // fill must stop before it reaches the next one, whichever level and iteration it is.
    [Fact]
    public void Cancelling_at_any_level_and_iteration_stops_the_fill_before_the_next()
    {
        var image = Textures.Fractal(200, 200, 5);
        var hole = Textures.Box(200, 200, 50, 50, 150, 150);
        var points = new List<(int Level, int Iteration)>();
        var traced = new PatchMatchFiller(SynthesisOptions.Default with { Progress = (l, i) => points.Add((l, i)) });
        _ = traced.Fill(image, hole, 1, CancellationToken.None);
        Assert.True(points.Select(p => p.Level).Distinct().Count() >= 3, "the hole must need several levels");

        foreach (var point in points)
        {
            using var cts = new CancellationTokenSource();
            var after = new List<(int, int)>();
            var cancelling = new PatchMatchFiller(SynthesisOptions.Default with
            {
                Progress = (l, i) =>
                {
                    if (cts.IsCancellationRequested)
                    {
                        after.Add((l, i));
                    }
                    else if ((l, i) == point)
                    {
                        cts.Cancel();
                    }
                },
            });

            Assert.ThrowsAny<OperationCanceledException>(() => cancelling.Fill(image, hole, 1, cts.Token));
            Assert.Empty(after);
        }
    }

    [Fact]
    public void Cancelling_from_another_thread_mid_fill_throws()
    {
        var image = Textures.Fractal(300, 300, 6);
        var hole = Textures.Box(300, 300, 60, 60, 240, 240);
        using var cts = new CancellationTokenSource();
        using var started = new ManualResetEventSlim();
        var filler = new PatchMatchFiller(SynthesisOptions.Default with { Progress = (l, i) => started.Set() });

        var fill = Task.Run(() => filler.Fill(image, hole, 1, cts.Token));
        started.Wait();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => fill.GetAwaiter().GetResult());
    }

    public static TheoryData<string> Periodic => new() { "stripes", "bricks" };

    // A hole in a periodic texture is filled with the period continuing: the fill correlates with the true content
    // (which the filler never saw) far better than the fast-marching baseline's smooth interpolation does.
    [Theory]
    [MemberData(nameof(Periodic))]
    public void A_hole_in_a_periodic_texture_continues_the_period(string texture)
    {
        var image = texture == "stripes" ? Textures.Stripes(160, 160) : Textures.Bricks(160, 160);
        var hole = Textures.Box(160, 160, 56, 56, 104, 104);

        var easel = Filler.Fill(image, hole, 3, CancellationToken.None);
        var baseline = new FastMarchingFiller().Fill(image, hole, 3, CancellationToken.None);

        var easelCorrelation = Textures.Correlation(image, easel, hole);
        var baselineCorrelation = Textures.Correlation(image, baseline, hole);
        Assert.True(easelCorrelation > 0.75, $"correlation with the true content {easelCorrelation:0.000}");
        Assert.True(easelCorrelation > baselineCorrelation + 0.3, $"easel {easelCorrelation:0.000}, baseline {baselineCorrelation:0.000}");
    }

    // The finest level is voted from the doubled field of the level below and never searched again, so every doubled
    // match has to be one of its sources; one that is not starts from a random patch and shows as a stray pixel.
    // Sources lie within a reach of the hole: the image is large enough for that limit to fall inside it.
    [Theory]
    [InlineData("fractal")]
    [InlineData("stripes")]
    public void Every_match_doubled_into_the_finest_level_is_one_of_its_sources(string texture)
    {
        var image = texture == "stripes" ? Textures.Stripes(400, 400) : Textures.Fractal(400, 400, 11);
        var hole = Textures.Box(400, 400, 150, 170, 250, 230);

        var report = Filler.FillWithReport(image, hole, 2, CancellationToken.None);

        Assert.Equal(FillPath.MultiScale, report.Path);
        Assert.Equal(0, report.FinestStrays);
    }

    [Fact]
    public void A_wide_hole_takes_the_multi_scale_path()
    {
        var report = Filler.FillWithReport(Textures.Fractal(200, 200, 7), Textures.Box(200, 200, 50, 50, 150, 150), 1, CancellationToken.None);

        Assert.Equal(FillPath.MultiScale, report.Path);
        Assert.True(report.Levels >= 3, $"{report.Levels} levels");
    }

    // Copies of a smooth tone taken from different places meet in steps; the blend follows a membrane across them
    // instead of their step, so a hole in a gradient comes out as smooth as the gradient around it.
    [Fact]
    public void A_hole_in_a_smooth_gradient_is_filled_without_steps_between_copies()
    {
        var image = Textures.Gradient(200, 200);
        var hole = Textures.Box(200, 200, 60, 60, 140, 140);
        var ownStep = LargestStep(image, Textures.Box(200, 200, 0, 0, 200, 200));

        var smooth = Filler.Fill(image, hole, 1, CancellationToken.None);
        var stepped = new PatchMatchFiller(SynthesisOptions.Default with { SmoothSeamTexture = 0 }).Fill(image, hole, 1, CancellationToken.None);

        var smoothStep = LargestStep(smooth, hole);
        var steppedStep = LargestStep(stepped, hole);
        // Measured: the gradient's own step 1, the fill's 3, without the membrane 73.
        Assert.True(smoothStep <= ownStep + 3, $"largest step in the fill {smoothStep}, in the gradient {ownStep}");
        Assert.True(steppedStep > smoothStep * 4, $"without the membrane {steppedStep}, with it {smoothStep}");
    }

    // The largest difference of a colour channel between two neighbouring pixels both in the mask.
    private static int LargestStep(RgbaImage image, AlphaMask mask)
    {
        var largest = 0;
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                if (mask.Values[(y * image.Width) + x] == 0)
                {
                    continue;
                }

                foreach (var (nx, ny) in (ReadOnlySpan<(int, int)>)[(x + 1, y), (x, y + 1)])
                {
                    if (nx >= image.Width || ny >= image.Height || mask.Values[(ny * image.Width) + nx] == 0)
                    {
                        continue;
                    }

                    for (var c = 0; c < 3; c++)
                    {
                        largest = Math.Max(largest, Math.Abs(image.Pixels[(((y * image.Width) + x) * 4) + c] - image.Pixels[(((ny * image.Width) + nx) * 4) + c]));
                    }
                }
            }
        }

        return largest;
    }

    public static TheoryData<string> ThinCases => new() { "fractal", "gradient", "bricks" };

    // Scratches a few pixels wide take the single-level path, and it is at least as good as the baseline there.
    [Theory]
    [MemberData(nameof(ThinCases))]
    public void Thin_scratches_take_the_fast_path_and_score_at_least_the_baseline(string texture)
    {
        var image = texture switch
        {
            "fractal" => Textures.Fractal(160, 160, 8),
            "gradient" => Textures.Gradient(160, 160),
            _ => Textures.Bricks(160, 160),
        };
        var hole = Textures.Scratches(160, 160, 4);

        var report = Filler.FillWithReport(image, hole, 1, CancellationToken.None);
        var baseline = new FastMarchingFiller().Fill(image, hole, 1, CancellationToken.None);

        Assert.Equal(FillPath.Thin, report.Path);
        var easelPsnr = Textures.PsnrInside(image, report.Image, hole);
        var baselinePsnr = Textures.PsnrInside(image, baseline, hole);
        Assert.True(easelPsnr >= baselinePsnr - 0.5, $"easel {easelPsnr:0.00} dB, baseline {baselinePsnr:0.00} dB");
    }

    // Outpainting a border: without the reuse penalty, border patches pile onto the same few source patches (a tiled
    // look: each source is shared by many targets); with it, the sharing falls to a few targets per source.
    [Fact]
    public void Outpainting_shares_source_patches_much_less_with_the_reuse_penalty()
    {
        var image = Textures.Fractal(160, 160, 9);
        var hole = Textures.Border(160, 160, 0.6f);

        var penalised = Filler.FillWithReport(image, hole, 1, CancellationToken.None);
        var free = new PatchMatchFiller(SynthesisOptions.Default with { ReuseWeight = 0 }).FillWithReport(image, hole, 1, CancellationToken.None);

        Assert.True(penalised.MeanSharing < free.MeanSharing * 0.5,
            $"targets per source with the penalty {penalised.MeanSharing:0.00}, without {free.MeanSharing:0.00}");
        Assert.True(penalised.MeanSharing < 4, $"targets per source with the penalty {penalised.MeanSharing:0.00}");
    }

    [Fact]
    public void A_hole_covering_the_whole_image_leaves_it_unchanged()
    {
        var image = Textures.Bricks(40, 40);
        var hole = Textures.Box(40, 40, 0, 0, 40, 40);

        Assert.Equal(image.Pixels, Filler.Fill(image, hole, 1, CancellationToken.None).Pixels);
    }

    [Fact]
    public void An_image_too_small_for_a_patch_falls_back_to_fast_marching_and_keeps_known_pixels()
    {
        var image = Textures.Bricks(6, 6);
        var hole = Textures.Box(6, 6, 2, 2, 4, 4);

        var report = Filler.FillWithReport(image, hole, 1, CancellationToken.None);

        Assert.Equal(FillPath.FastMarching, report.Path);
        Assert.Equal(image.Pixels.AsSpan(0, 8 * 4).ToArray(), report.Image.Pixels.AsSpan(0, 8 * 4).ToArray());
    }

    private static AlphaMask Hole(string kind, int width, int height) => kind switch
    {
        "box" => Textures.Box(width, height, width / 4, height / 4, width * 3 / 4, height * 3 / 4),
        "soft box" => Textures.Box(width, height, width / 4, height / 4, width * 3 / 4, height * 3 / 4, value: 1),
        "scratches" => Textures.Scratches(width, height, 3),
        _ => Textures.Border(width, height, 0.7f),
    };
}
