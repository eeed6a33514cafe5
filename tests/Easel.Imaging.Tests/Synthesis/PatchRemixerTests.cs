namespace Easel.Imaging.Tests.Synthesis;

public sealed class PatchRemixerTests
{
    public static TheoryData<RemixStrength> Strengths => new() { RemixStrength.Subtle, RemixStrength.Strong };

    [Theory]
    [MemberData(nameof(Strengths))]
    public void Remix_keeps_the_size_and_is_reproducible_from_its_seed(RemixStrength strength)
    {
        var image = Textures.Fractal(160, 100, 1);

        var first = PatchRemixer.Remix(image, strength, 5, CancellationToken.None);
        var second = PatchRemixer.Remix(image, strength, 5, CancellationToken.None);

        Assert.Equal((160, 100), (first.Width, first.Height));
        Assert.Equal(first.Pixels, second.Pixels);
    }

    [Theory]
    [MemberData(nameof(Strengths))]
    public void Different_seeds_give_different_remixes(RemixStrength strength)
    {
        var image = Textures.Bricks(120, 120);

        var a = PatchRemixer.Remix(image, strength, 1, CancellationToken.None);
        var b = PatchRemixer.Remix(image, strength, 2, CancellationToken.None);

        Assert.True(Textures.MeanAbsoluteDifference(a, b) > 0.5);
    }

    public static TheoryData<string> Images => new() { "fractal", "bricks", "checkered gradient" };

    // Subtle changes the image; strong changes it clearly more (the server's chain test asks 1.5 times). A perfectly
    // periodic image is left out: any patch re-synthesis of it is the image itself.
    [Theory]
    [MemberData(nameof(Images))]
    public void Strong_departs_from_the_source_well_beyond_subtle(string kind)
    {
        var image = kind switch
        {
            "fractal" => Textures.Fractal(160, 100, 2),
            "bricks" => Textures.Bricks(160, 100),
            _ => Textures.CheckeredGradient(160, 100),
        };

        var subtle = Enumerable.Range(0, 4).Average(s => Textures.MeanAbsoluteDifference(image, PatchRemixer.Remix(image, RemixStrength.Subtle, s, CancellationToken.None)));
        var strong = Enumerable.Range(0, 4).Average(s => Textures.MeanAbsoluteDifference(image, PatchRemixer.Remix(image, RemixStrength.Strong, s, CancellationToken.None)));

        Assert.True(subtle > 0.5, $"subtle {subtle:0.00}");
        Assert.True(strong > subtle * 2, $"strong {strong:0.00}, subtle {subtle:0.00}");
    }

    [Fact]
    public void A_cancelled_token_stops_the_remix()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => PatchRemixer.Remix(Textures.Bricks(64, 64), RemixStrength.Strong, 1, cts.Token));
    }

    [Fact]
    public void An_image_below_the_minimum_side_is_refused()
    {
        Assert.Throws<ArgumentException>(() => PatchRemixer.Remix(Textures.Bricks(8, 40), RemixStrength.Subtle, 1, CancellationToken.None));
    }
}
