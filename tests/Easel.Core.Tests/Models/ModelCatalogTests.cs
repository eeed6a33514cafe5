using Easel.Core.Engines;
using Easel.Core.Models;
using Easel.Core.Operations;

namespace Easel.Core.Tests.Models;

/// <summary>
/// The catalog against API.md sections 2, 4 and 9: every model with both names, its category, image count, price
/// and classic prefix as the contract gives them, and a complete code table; the rule that generates the tables the
/// vendors do not publish is the rule of the seeds' own tables.
/// </summary>
public sealed class ModelCatalogTests
{
    /// <summary>(unified, classic, category, images, fast credits, classic prefix): the contract's rows.</summary>
    public static TheoryData<string, string, string, int, decimal, string> Contract => new()
    {
        { "mj-v7-upload-paint", "midjourney_uploadpaint", "Direct", 4, 8.1m, "004014" },
        { "mj-v7-edit", "midjourney_edit", "Secondary", 4, 8.1m, "004007" },
        { "mj-v7-inpaint", "midjourney_inpaint", "Secondary", 4, 8.1m, "004006" },
        { "mj-v7-remix", "midjourney_remix", "Secondary", 4, 8.1m, "004011" },
        { "mj-v7", "midjourney_diffusion", "Direct", 4, 5.4m, "004001" },
        { "mj-v7-variation", "midjourney_variation", "Secondary", 4, 5.4m, "004052" },
        { "mj-v7-upscale", "midjourney_upscale", "Secondary", 1, 8.1m, "004051" },
        { "mj-v7-outpaint", "midjourney_outpaint", "Secondary", 4, 5.4m, "004053" },
        { "mj-v7-pan", "midjourney_pan", "Secondary", 4, 5.4m, "004054" },
        { "mj-v7-enhance", "midjourney_enhance", "Secondary", 4, 5.4m, "004055" },
        { "mj-v7-retexture", "midjourney_retexture", "Direct", 4, 8.1m, "004056" },
        { "mj-v7-remove-bg", "midjourney_remove_bg", "Direct", 1, 2.7m, "004057" },
    };

    [Theory]
    [MemberData(nameof(Contract))]
    public void Every_model_of_the_contract_is_in_the_catalog_under_both_names(
        string unified, string classic, string category, int images, decimal fast, string prefix)
    {
        Assert.True(ModelCatalog.TryUnified(unified, out var byUnified), unified);
        Assert.True(ModelCatalog.TryClassic(classic, out var byClassic), classic);
        Assert.Same(byUnified, byClassic);
        Assert.Equal(category, byUnified.Category.ToString());
        Assert.Equal(images, byUnified.ImageCount);
        Assert.Equal(fast, byUnified.FastCredits);
        Assert.Equal(prefix, ClassicCodeTable.Printed(byUnified.ClassicCodes.Code(0))[..6]);
        Assert.Equal(byUnified.Category == ModelCategory.Secondary, byUnified.Has(RequestField.TaskId));
    }

    [Fact]
    public void The_catalog_has_exactly_the_contract_s_models_each_name_and_prefix_once()
    {
        Assert.Equal(Contract.Count, ModelCatalog.All.Count);
        Assert.Equal(Enum.GetValues<OperationKind>().Order(), ModelCatalog.All.Select(m => m.Kind).Order());
        Assert.Equal(ModelCatalog.All.Count, ModelCatalog.UnifiedNames.Concat(ModelCatalog.ClassicNames).Distinct().Count() / 2);
        Assert.Equal(ModelCatalog.All.Count, ModelCatalog.All.Select(m => m.ClassicCodes.Prefix).Distinct().Count());
    }

    public static TheoryData<string> Models => new(ModelCatalog.All.Select(m => m.UnifiedName));

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_field_of_every_model_has_its_classic_codes_and_rows_are_numbered_in_order(string name)
    {
        ModelCatalog.TryUnified(name, out var model);
        var rows = model.ClassicCodes.Rows;
        Assert.Equal(Enumerable.Range(1, rows.Count - 2).Append(98).Append(99), rows.Select(r => r.Number));
        Assert.All(rows, r => Assert.False(string.IsNullOrWhiteSpace(r.Description)));
        foreach (var field in model.Fields.Where(f => f.Field is not RequestField.Speed and not RequestField.OutputFormat))
        {
            // Edit's seed table has no mask row: its invalid mask answers the gateway code (pinned by the dialect tests).
            if (model.Kind == OperationKind.Edit && field.Field == RequestField.Mask)
            {
                continue;
            }
            var invalid = model.ClassicCodes.NumberFor(new FieldError(field.Field, FieldProblem.Invalid, ""));
            Assert.True(invalid is not null, $"{name}: {field.Field} has no row for an invalid value");
            if (field.Required)
            {
                Assert.True(model.ClassicCodes.NumberFor(new FieldError(field.Field, FieldProblem.Missing, "")) is not null,
                    $"{name}: {field.Field} has no row for a missing value");
            }
        }
        // No row names a field the model does not have.
        Assert.All(rows.Where(r => r.Field is not null), r => Assert.True(model.Has(r.Field!.Value), $"{name}: row {r.Number} names {r.Field}"));
        if (model.IsSecondary)
        {
            Assert.Equal(1, model.ClassicCodes.TaskIdNumber);
            Assert.Equal(3, model.ClassicCodes.InvalidImageNumber);
        }
    }

    [Theory]
    [InlineData(OperationKind.UploadPaint)]
    [InlineData(OperationKind.Inpaint)]
    [InlineData(OperationKind.Remix)]
    public void The_rule_for_unpublished_tables_reproduces_the_seeds_tables(OperationKind kind)
    {
        var model = ModelCatalog.Of(kind);
        var generated = ClassicCodeTable.FromFields(model.ClassicCodes.Prefix, model.Fields);
        Assert.Equal(
            model.ClassicCodes.Rows.Select(r => (r.Number, r.Field, r.Problem, r.Description.ToLowerInvariant())),
            generated.Rows.Select(r => (r.Number, r.Field, r.Problem, r.Description.ToLowerInvariant())));
    }

    /// <summary>API.md section 9 in words: task ID, image number missing, invalid image number, then each further field, then the callback.</summary>
    public static TheoryData<string, string[]> Tables => new()
    {
        { "midjourney_variation", ["Task ID missing", "Image number missing", "Invalid image number", "Invalid type", "Invalid remix prompt length", "Invalid callback URL"] },
        { "midjourney_upscale", ["Task ID missing", "Image number missing", "Invalid image number", "Invalid type", "Invalid callback URL"] },
        { "midjourney_outpaint", ["Task ID missing", "Image number missing", "Invalid image number", "Scale missing", "Invalid scale", "Invalid remix prompt length", "Invalid callback URL"] },
        { "midjourney_pan", ["Task ID missing", "Image number missing", "Invalid image number", "Direction missing", "Invalid direction", "Scale missing", "Invalid scale", "Invalid remix prompt length", "Invalid callback URL"] },
        { "midjourney_enhance", ["Task ID missing", "Image number missing", "Invalid image number", "Invalid callback URL"] },
        { "midjourney_retexture", ["Image URL missing", "Invalid image URL length", "Invalid image URL format", "Remix prompt missing", "Invalid remix prompt length", "Invalid callback URL"] },
        { "midjourney_remove_bg", ["Image URL missing", "Invalid image URL length", "Invalid image URL format", "Invalid callback URL"] },
        { "midjourney_diffusion", ["Missing text", "Invalid text length", "Invalid callback URL"] },
    };

    [Theory]
    [MemberData(nameof(Tables))]
    public void The_family_s_tables_follow_the_order_of_their_fields(string name, string[] expected)
    {
        ModelCatalog.TryClassic(name, out var model);
        Assert.Equal([.. expected, "Generation failed", "Service unavailable"], model.ClassicCodes.Rows.Select(r => r.Description));
    }

    [Fact]
    public void Pan_and_outpaint_take_the_vendors_scale_ranges_and_pan_the_classic_direction_numbers()
    {
        Assert.Equal(new DecimalRange(1.1m, 2.0m), ModelCatalog.Of(OperationKind.Outpaint).FieldOf(RequestField.Scale)!.Range);
        Assert.Equal(new DecimalRange(1.1m, 3.0m), ModelCatalog.Of(OperationKind.Pan).FieldOf(RequestField.Scale)!.Range);
        var directions = ModelCatalog.Of(OperationKind.Pan).FieldOf(RequestField.Direction)!.Choices!.Choices;
        Assert.Equal([("down", 0), ("right", 1), ("up", 2), ("left", 3)],
            directions.OrderBy(c => c.Classic).Select(c => (c.Unified!, c.Classic!.Value)));
        Assert.All(directions, c => Assert.Equal(c.Unified, ((PanDirection)c.Value).ToString().ToLowerInvariant()));
    }

    [Fact]
    public void Only_imagine_takes_draft_and_remove_bg_takes_no_speed()
    {
        Assert.Equal([Speed.Draft, Speed.Fast, Speed.Turbo], ModelCatalog.Of(OperationKind.Imagine).Speeds);
        Assert.Equal([Speed.Fast], ModelCatalog.Of(OperationKind.RemoveBackground).Speeds);
        Assert.All(ModelCatalog.All.Where(m => m.Kind is not OperationKind.Imagine and not OperationKind.RemoveBackground),
            m => Assert.Equal([Speed.Fast, Speed.Turbo], m.Speeds));
    }

    [Fact]
    public void The_output_format_choices_are_the_enum_s_names_so_a_new_format_needs_no_catalog_change()
    {
        var choices = ModelCatalog.Of(OperationKind.Variation).FieldOf(RequestField.OutputFormat)!.Choices!.Choices;
        Assert.Equal(Enum.GetNames<OutputFormat>().Select(n => n.ToLowerInvariant()), choices.Select(c => c.Unified));
    }

    [Fact]
    public void Creative_upscale_is_a_variant_with_its_own_price_and_capability()
    {
        var upscale = ModelCatalog.Of(OperationKind.Upscale);
        var creative = new Upscale(Speed.Fast, new SourceImage("t", 0), UpscaleType.Creative);
        var standard = creative with { Type = UpscaleType.Standard };
        Assert.Equal(EngineCapability.CreativeUpscale, upscale.CapabilityOf(creative));
        Assert.Equal(EngineCapability.Upscale, upscale.CapabilityOf(standard));
        Assert.Equal(10.8m, upscale.VariantOf(creative)!.FastCredits);
        Assert.Null(upscale.VariantOf(standard));
    }

    [Fact]
    public void An_engine_directory_serves_a_capability_only_through_engines_that_list_it()
    {
        var directory = new EngineDirectory([
            new EngineDescriptor("pixels", new HashSet<EngineCapability> { EngineCapability.Upscale }, FollowsPrompts: false),
            new EngineDescriptor("upstream", new HashSet<EngineCapability> { EngineCapability.Upscale, EngineCapability.Imagine }, FollowsPrompts: true),
        ]);
        Assert.Equal(["pixels", "upstream"], directory.Serving(EngineCapability.Upscale).Select(e => e.Name));
        Assert.Equal(["upstream"], directory.Serving(new Imagine("a cat", Speed.Fast)).Select(e => e.Name));
        Assert.Empty(directory.Serving(EngineCapability.RemoveBackground));
    }

    [Theory]
    [InlineData(100, 80, 1.5, "right", 150, 80)]
    [InlineData(100, 80, 1.5, "left", 150, 80)]
    [InlineData(100, 80, 3.0, "up", 100, 240)]
    [InlineData(100, 80, 1.1, "down", 100, 88)]
    public void Pan_extends_only_along_its_direction(int w, int h, double scale, string direction, int ew, int eh)
    {
        var pan = new Pan(null, Speed.Fast, new SourceImage("t", 0), Enum.Parse<PanDirection>(direction, ignoreCase: true), (decimal)scale);
        Assert.Equal(new CanvasSize(ew, eh), ResultGeometry.SizeOf(pan, w, h));
    }

    [Fact]
    public void A_result_over_4096_a_side_or_16_megapixels_breaks_the_canvas_limits()
    {
        var outpaint = new Outpaint(null, Speed.Fast, new SourceImage("t", 0), 2.0m);
        Assert.Null(ResultGeometry.LimitBroken(ResultGeometry.SizeOf(outpaint, 2048, 2048)));
        Assert.NotNull(ResultGeometry.LimitBroken(ResultGeometry.SizeOf(outpaint, 2049, 1000)));
        Assert.NotNull(ResultGeometry.LimitBroken(new CanvasSize(4096, 4097)));
        var upscale = new Upscale(Speed.Fast, new SourceImage("t", 0), UpscaleType.FourTimes);
        Assert.Equal(new CanvasSize(4096, 400), ResultGeometry.SizeOf(upscale, 1024, 100));
        Assert.NotNull(ResultGeometry.LimitBroken(ResultGeometry.SizeOf(upscale, 1025, 100)));
    }
}
