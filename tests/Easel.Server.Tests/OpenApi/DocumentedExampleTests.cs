using Easel.Core.Models;
using System.Text.Json.Nodes;
using Easel.Server.Tests.Infrastructure;

namespace Easel.Server.Tests.OpenApi;

/// <summary>
/// The documents' request examples are real requests: each one passes every validation rule of the server. Their
/// secondary ones name a source task that does not exist, so they stop exactly at the source lookup (404 with the
/// source's own param or code), which is checked after all the field rules.
/// </summary>
public sealed class DocumentedExampleTests
{
    // Whether the local engine serves the model's default form (the examples use each model's defaults).
    private static bool Served(string name) =>
        ModelCatalog.TryAny(name, out var model) && Easel.Engines.Local.LocalEngine.Descriptor.Capabilities.Contains(model.Capability);

    [Fact]
    public async Task Every_unified_request_example_passes_validation()
    {
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var document = await OpenApiDocuments.FetchAsync(host, "unified");
        var examples = document["paths"]!["/v1/images/generations"]!["post"]!["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();
        Assert.Equal(ModelCatalog.All.Count, examples.Count);
        foreach (var (name, example) in examples)
        {
            var body = example!["value"]!.ToJsonString();
            var (status, answer) = await client.PostJsonAsync("/v1/images/generations", body);
            if (!Served(example["value"]!["model"]!.GetValue<string>()))
            {
                // Every field rule passed; only the engines' capability refused it (checked before the source).
                Assert.True(status == 400, $"{name}: HTTP {status} {answer.ToJsonString()}");
                Assert.Equal("model_not_available", answer["error"]!["code"]!.GetValue<string>());
            }
            else if (example["value"]!["model_params"]?["task_id"] is null)
            {
                Assert.True(status == 200, $"{name}: HTTP {status} {answer.ToJsonString()}");
                Assert.Equal("pending", answer["status"]!.GetValue<string>());
            }
            else
            {
                Assert.True(status == 404, $"{name}: HTTP {status} {answer.ToJsonString()}");
                Assert.Equal("model_params.task_id", answer["error"]!["param"]!.GetValue<string>());
            }
        }
    }

    [Fact]
    public async Task Every_classic_request_example_passes_validation()
    {
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var document = await OpenApiDocuments.FetchAsync(host, "classic");
        var examples = document["paths"]!["/model/v1/generation"]!["post"]!["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();
        Assert.Equal(ModelCatalog.All.Count + 1, examples.Count);
        foreach (var (name, example) in examples)
        {
            var value = example!["value"]!.AsObject();
            var parameters = value["input"] is JsonArray input ? input[0]!["params"]!.AsObject() : value;
            var (status, answer) = await client.PostJsonAsync("/model/v1/generation", value.ToJsonString());
            if (!Served(value["model"]!.GetValue<string>()))
            {
                Assert.True(status == 400, $"{name}: HTTP {status} {answer.ToJsonString()}");
                Assert.Equal(4_000_400, answer["error"]!["code"]!.GetValue<int>());
                Assert.Contains("not available", answer["error"]!["error_message"]!.GetValue<string>(), StringComparison.Ordinal);
            }
            else if (parameters["jobId"] is null)
            {
                Assert.True(status == 200, $"{name}: HTTP {status} {answer.ToJsonString()}");
                Assert.Equal("pending", answer["status"]!.GetValue<string>());
            }
            else
            {
                // The model's "task ID" code (…001): every field before and after it was accepted.
                Assert.True(status == 404, $"{name}: HTTP {status} {answer.ToJsonString()}");
                Assert.Equal(1, answer["error"]!["code"]!.GetValue<int>() % 1000);
            }
        }
    }

    [Theory]
    [InlineData("unified", "/v1/images/generations")]
    [InlineData("classic", "/model/v1/generation")]
    public async Task A_real_task_has_the_documented_shape(string name, string path)
    {
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        var document = await OpenApiDocuments.FetchAsync(host, name);
        var create = document["paths"]![path]!["post"]!.AsObject();
        var example = create["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject().First().Value!["value"]!;
        var (status, task) = await client.PostJsonAsync(path, example.ToJsonString());
        Assert.Equal(200, status);

        var schema = OpenApiDocuments.Resolve(document, create["responses"]!["200"]!["content"]!["application/json"]!["schema"]);
        var properties = schema["properties"]!.AsObject();
        Assert.All(task.Select(p => p.Key), k => Assert.True(properties.ContainsKey(k), $"{k} is sent but not documented"));
        Assert.All(OpenApiDocuments.Strings(schema["required"]), r => Assert.True(task.ContainsKey(r), $"{r} is required but not sent"));
        Assert.Contains(task["status"]!.GetValue<string>(), OpenApiDocuments.Strings(properties["status"]!["enum"]));
        Assert.Contains(task["model"]!.GetValue<string>(), OpenApiDocuments.Strings(properties["model"]!["enum"]));
    }

    [Theory]
    [InlineData("/v1/images/generations")]
    [InlineData("/model/v1/generation")]
    public async Task Documenting_the_body_does_not_make_routing_refuse_other_content_types(string path)
    {
        // curl -d sends application/x-www-form-urlencoded; the handlers read the JSON whatever the header says.
        using var host = new EaselHost();
        using var client = await host.NewAccountAsync();
        using var content = new StringContent("{}", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await client.PostAsync(path, content);
        Assert.Equal(400, (int)response.StatusCode);
    }
}
