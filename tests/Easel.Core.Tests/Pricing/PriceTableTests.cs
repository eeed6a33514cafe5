using Easel.Core.Operations;
using Easel.Core.Pricing;

namespace Easel.Core.Tests.Pricing;

/// <summary>Prices in integer micro-credits and the classic USD cost (API.md section 8).</summary>
public sealed class PriceTableTests
{
    private static readonly PriceTable Default = new(new PricingOptions());
    private static readonly SourceImage From = new("task-unified-1700000000-source0000", 0);

    private static Operation Of(OperationKind kind, Speed speed) => kind switch
    {
        OperationKind.UploadPaint => new UploadPaint("p", speed, new ExternalImage("https://images.example.com/a.png"),
            new CanvasSize(128, 128), new Placement(64, 64, 32, 32), new ImageMask(new ExternalImage("https://images.example.com/m.png"))),
        OperationKind.Edit => new Edit("p", speed, From, new CanvasSize(128, 128), new Placement(64, 64, 32, 32), null),
        OperationKind.Inpaint => new Inpaint(null, speed, From, new ImageMask(new ExternalImage("https://images.example.com/m.png"))),
        OperationKind.Remix => new Remix("p", speed, From, RemixMode.Strong),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [InlineData(OperationKind.UploadPaint)]
    [InlineData(OperationKind.Edit)]
    [InlineData(OperationKind.Inpaint)]
    [InlineData(OperationKind.Remix)]
    public void Every_operation_costs_8_1_credits_fast_and_16_2_turbo(OperationKind kind)
    {
        Assert.Equal(8_100_000, Default.PriceMicros(Of(kind, Speed.Fast), "default"));
        Assert.Equal(16_200_000, Default.PriceMicros(Of(kind, Speed.Turbo), "default"));
    }

    [Fact]
    public void A_fast_call_costs_0_1191_usd()
    {
        Assert.Equal("0.1191", Default.CostUsd(Default.PriceMicros(Of(OperationKind.Remix, Speed.Fast), "default")));
    }

    [Fact]
    public void A_turbo_call_costs_0_2381_usd()
    {
        Assert.Equal("0.2381", Default.CostUsd(Default.PriceMicros(Of(OperationKind.Remix, Speed.Turbo), "default")));
    }

    [Theory]
    [InlineData(0L, "0.0000")]
    [InlineData(50L, "0.0001")]          // 0.00005 USD at 1 USD per credit: half away from zero
    [InlineData(49L, "0.0000")]
    [InlineData(1_000_000L, "1.0000")]
    [InlineData(123_456_789L, "123.4568")]
    public void The_usd_cost_has_four_decimals_rounded_half_away_from_zero(long micros, string cost)
    {
        var table = new PriceTable(new PricingOptions { UsdPerCredit = 1m });
        Assert.Equal(cost, table.CostUsd(micros));
    }

    [Theory]
    [InlineData("8.1", 8_100_000L)]
    [InlineData("16.2", 16_200_000L)]
    [InlineData("0.000001", 1L)]
    [InlineData("1234.567891", 1_234_567_891L)]
    [InlineData("0", 0L)]
    public void Credits_and_micro_credits_convert_exactly_both_ways(string credits, long micros)
    {
        var value = decimal.Parse(credits, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(micros, Credits.FromCredits(value));
        Assert.Equal(value, Credits.ToCredits(micros));
    }

    [Fact]
    public void Credits_read_back_without_trailing_zeros_as_the_wire_shows_them()
    {
        Assert.Equal("8.1", Credits.ToCredits(8_100_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("16.2", Credits.ToCredits(16_200_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("0.0000005", 1L)]
    [InlineData("0.0000004", 0L)]
    [InlineData("-0.0000005", -1L)]
    public void A_fraction_of_a_micro_credit_rounds_half_away_from_zero(string credits, long micros)
    {
        Assert.Equal(micros, Credits.FromCredits(decimal.Parse(credits, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Sums_of_prices_are_exact_where_floating_point_is_not()
    {
        var tenth = Credits.FromCredits(0.1m);
        Assert.Equal(Credits.FromCredits(1m), Enumerable.Repeat(tenth, 10).Sum());
        Assert.Equal(81_000_000, Enumerable.Repeat(Default.PriceMicros(Of(OperationKind.Edit, Speed.Fast), "default"), 10).Sum());
        Assert.Equal(8.1m * 10, Credits.ToCredits(81_000_000));
    }

    [Fact]
    public void Prices_follow_the_configured_table()
    {
        var table = new PriceTable(new PricingOptions { FastCredits = 1.25m, TurboMultiplier = 3, UsdPerCredit = 0.5m });
        Assert.Equal(1_250_000, table.PriceMicros(Of(OperationKind.Inpaint, Speed.Fast), "default"));
        Assert.Equal(3_750_000, table.PriceMicros(Of(OperationKind.Inpaint, Speed.Turbo), "default"));
        Assert.Equal("0.6250", table.CostUsd(1_250_000));
        Assert.Equal("1.8750", table.CostUsd(3_750_000));
    }

    [Fact]
    public void A_model_may_set_its_own_prices_and_a_group_multiplies_them()
    {
        var options = new PricingOptions();
        options.Models["Inpaint"] = new ModelPrice { Fast = 5m, Turbo = 7.5m };
        options.Models["remix"] = new ModelPrice { Fast = 2m };
        options.Groups["vip"] = 0.5m;
        var table = new PriceTable(options);
        Assert.Equal(5_000_000, table.PriceMicros(Of(OperationKind.Inpaint, Speed.Fast), "default"));
        Assert.Equal(7_500_000, table.PriceMicros(Of(OperationKind.Inpaint, Speed.Turbo), "default"));
        Assert.Equal(4_000_000, table.PriceMicros(Of(OperationKind.Remix, Speed.Turbo), "default"));
        Assert.Equal(8_100_000, table.PriceMicros(Of(OperationKind.Edit, Speed.Fast), "default"));
        Assert.Equal(2_500_000, table.PriceMicros(Of(OperationKind.Inpaint, Speed.Fast), "vip"));
        Assert.Equal(4_050_000, table.PriceMicros(Of(OperationKind.Edit, Speed.Fast), "vip"));
        Assert.Equal(8_100_000, table.PriceMicros(Of(OperationKind.Edit, Speed.Fast), "unknown-group"));
    }

    [Fact]
    public void The_family_s_default_prices_are_those_of_api_md_section_9()
    {
        var from = new SourceImage("t", 0);
        var image = new ExternalImage("https://images.example.com/a.png");
        Assert.Equal(5_400_000, Default.PriceMicros(new Imagine("a cat", Speed.Fast), "default"));
        Assert.Equal(10_800_000, Default.PriceMicros(new Imagine("a cat", Speed.Turbo), "default"));
        Assert.Equal(2_700_000, Default.PriceMicros(new Imagine("a cat", Speed.Draft), "default"));
        Assert.Equal(5_400_000, Default.PriceMicros(new Variation(null, Speed.Fast, from, VariationType.Strong), "default"));
        Assert.Equal(8_100_000, Default.PriceMicros(new Upscale(Speed.Fast, from, UpscaleType.Standard), "default"));
        Assert.Equal(10_800_000, Default.PriceMicros(new Upscale(Speed.Fast, from, UpscaleType.Creative), "default"));
        Assert.Equal(5_400_000, Default.PriceMicros(new Outpaint(null, Speed.Fast, from, 1.5m), "default"));
        Assert.Equal(5_400_000, Default.PriceMicros(new Pan(null, Speed.Fast, from, PanDirection.Up, 1.5m), "default"));
        Assert.Equal(5_400_000, Default.PriceMicros(new Enhance(Speed.Fast, from), "default"));
        Assert.Equal(8_100_000, Default.PriceMicros(new Retexture("brass", Speed.Fast, image), "default"));
        Assert.Equal(2_700_000, Default.PriceMicros(new RemoveBackground(Speed.Fast, image), "default"));
    }

    [Fact]
    public void A_variant_and_draft_may_be_priced_in_configuration()
    {
        var options = new PricingOptions();
        options.Models["UpscaleCreative"] = new ModelPrice { Fast = 20m };
        options.Models["Imagine"] = new ModelPrice { Fast = 4m, Draft = 1m };
        var table = new PriceTable(options);
        var from = new SourceImage("t", 0);
        Assert.Equal(20_000_000, table.PriceMicros(new Upscale(Speed.Fast, from, UpscaleType.Creative), "default"));
        Assert.Equal(8_100_000, table.PriceMicros(new Upscale(Speed.Fast, from, UpscaleType.TwoTimes), "default"));
        Assert.Equal(1_000_000, table.PriceMicros(new Imagine("a cat", Speed.Draft), "default"));
        Assert.Equal(8_000_000, table.PriceMicros(new Imagine("a cat", Speed.Turbo), "default"));
    }

    [Theory]
    [InlineData(Easel.Core.Tasks.TaskState.Completed, null, Settlement.Charge)]
    [InlineData(Easel.Core.Tasks.TaskState.Failed, Easel.Core.Tasks.FailureKind.ImageProcessing, Settlement.Refund)]
    [InlineData(Easel.Core.Tasks.TaskState.Failed, Easel.Core.Tasks.FailureKind.ContentPolicy, Settlement.Charge)]
    [InlineData(Easel.Core.Tasks.TaskState.Cancelled, null, Settlement.Refund)]
    public void Finished_tasks_settle_as_api_md_section_8_says(Easel.Core.Tasks.TaskState state, Easel.Core.Tasks.FailureKind? failure, Settlement expected)
    {
        Assert.Equal(expected, SettlementPolicy.For(state, failure));
    }
}
