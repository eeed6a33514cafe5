using Easel.Core.Operations;

namespace Easel.Core.Tests.Operations;

public sealed class PromptParametersTests
{
    [Fact]
    public void The_text_is_what_comes_before_the_first_parameter_and_the_shape_the_exclusions_and_the_seed_are_read()
    {
        var read = PromptParameters.Read("a harbour at dusk,  boats --ar 16:9 --no people, cars --v 7 --seed 42 --stylize 250");

        Assert.Equal(new PromptParameters("a harbour at dusk, boats", "people, cars", (16, 9), 42), read);
    }

    [Fact]
    public void A_prompt_without_parameters_is_its_text_alone()
    {
        Assert.Equal(new PromptParameters("a lighthouse -- in fog --5", null, null, null), PromptParameters.Read("a lighthouse -- in fog --5"));
        Assert.Equal(new PromptParameters("", null, null, null), PromptParameters.Read(null));
    }

    [Theory]
    [InlineData("x --ar 16x9")]
    [InlineData("x --ar 0:1")]
    [InlineData("x --ar 1:101")]
    [InlineData("x --ar -2:1")]
    [InlineData("x --aspect")]
    [InlineData("x --seed -1")]
    [InlineData("x --seed 4294967296")]
    [InlineData("x --seed 1e3")]
    [InlineData("x --no")]
    public void Malformed_values_are_dropped_and_leave_the_text(string prompt)
    {
        Assert.Equal(new PromptParameters("x", null, null, null), PromptParameters.Read(prompt));
    }

    [Fact]
    public void Names_are_read_whatever_their_case_and_later_exclusions_add_up()
    {
        var read = PromptParameters.Read("x --AR 2:3 --no red --No blue --aspect 3:2 --sameseed 7");

        Assert.Equal(new PromptParameters("x", "red, blue", (3, 2), 7), read);
    }

    [Theory]
    [InlineData(null, 1024, 1024)]
    [InlineData("--ar 16:9", 1368, 768)]
    [InlineData("--ar 9:16", 768, 1368)]
    [InlineData("--ar 100:1", 4096, 104)]
    public void A_size_keeps_about_the_area_in_the_prompts_shape_on_the_models_grid(string? parameters, int width, int height)
    {
        var read = PromptParameters.Read($"x {parameters}");

        Assert.Equal((width, height), read.SizeFor(1024 * 1024, 8, 64, 4096));
    }
}
