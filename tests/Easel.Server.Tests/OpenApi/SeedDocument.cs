using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Easel.Server.Tests.OpenApi;

/// <summary>
/// The OpenAPI document of the hosted service that seed 003 embeds (YAML in a Markdown fence), read at test time from
/// the shared folder that sits beside the repository (../shared/seeds), never copied into it.
/// </summary>
public static class SeedDocument
{
    public const string FileName = "003_cf7e5b382fbf8b4d.txt";

    /// <summary>EASEL_SHARED_DIR, or the first "shared" folder beside the test's directory or one of its parents.</summary>
    public static string Locate()
    {
        var configured = Environment.GetEnvironmentVariable("EASEL_SHARED_DIR");
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.Combine(configured, "seeds", FileName);
        }
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "seeds", FileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException(
            $"seed {FileName} not found in a shared/seeds folder beside the repository or above it; set EASEL_SHARED_DIR to the shared folder");
    }

    public static JsonObject Load()
    {
        var text = File.ReadAllText(Locate());
        var start = text.IndexOf("````yaml", StringComparison.Ordinal);
        Assert.True(start >= 0, "the seed has no ````yaml block");
        start = text.IndexOf('\n', start) + 1;
        var end = text.IndexOf("````", start, StringComparison.Ordinal);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(text[start..end]));
        return ToJson(yaml.Documents[0].RootNode)!.AsObject();
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidOperationException($"unexpected YAML node {node.NodeType}"),
    };

    // Plain scalars are typed as YAML 1.2's core schema types them; quoted and block scalars are strings.
    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style != YamlDotNet.Core.ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }
        if (value is "null" or "~" or "")
        {
            return null;
        }
        if (value is "true" or "false")
        {
            return JsonValue.Create(value == "true");
        }
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }
        return JsonValue.Create(value);
    }
}
