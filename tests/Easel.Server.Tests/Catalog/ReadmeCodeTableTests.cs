using Easel.Core.Models;

namespace Easel.Server.Tests.Catalog;

/// <summary>The README lists every classic code of the family's tables, as the catalog numbers them.</summary>
public sealed class ReadmeCodeTableTests
{
    [Fact]
    public void The_readme_lists_every_code_of_every_table_the_seeds_do_not_give()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Easel.slnx")))
        {
            directory = directory.Parent;
        }
        Assert.NotNull(directory);
        var readme = File.ReadAllText(Path.Combine(directory.FullName, "README.md"));
        string[] seeds = [ModelCatalog.UploadPaintClassic, ModelCatalog.EditClassic, ModelCatalog.InpaintClassic, ModelCatalog.RemixClassic];
        foreach (var model in ModelCatalog.All.Where(m => !seeds.Contains(m.ClassicName)))
        {
            var prefix = ClassicCodeTable.Printed(model.ClassicCodes.Code(0))[..6];
            var line = readme.Split('\n').SingleOrDefault(l => l.StartsWith($"| `{model.ClassicName}` ({prefix})", StringComparison.Ordinal));
            Assert.True(line is not null, $"README has no code row for {model.ClassicName} ({prefix})");
            var expected = string.Join(", ", model.ClassicCodes.Rows.Where(r => r.Field is not null).Select(r => $"{r.Number:000} {r.Description}"));
            Assert.Equal($"| `{model.ClassicName}` ({prefix}) | {expected} |", line.TrimEnd('\r'));
        }
    }
}
