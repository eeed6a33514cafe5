using Easel.Core.Models;
using System.Text.Json.Nodes;
using Easel.Core.Operations;
using Easel.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Easel.Server.Tests.OpenApi;

public sealed class OpenApiDocumentTests
{
    [Theory]
    [InlineData("unified")]
    [InlineData("classic")]
    public async Task The_document_is_valid_OpenAPI_3_served_without_a_key(string name)
    {
        using var host = new EaselHost();
        using var client = host.CreateClient();
        using var response = await client.GetAsync($"/openapi/{name}.json");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();

        Assert.StartsWith("3.", JsonNode.Parse(text)!["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        // The reference reader of the OpenAPI.NET project: every structural rule of the specification it knows.
        var result = OpenApiDocument.Parse(text, "json", new OpenApiReaderSettings());
        Assert.NotNull(result.Document);
        Assert.Empty(result.Diagnostic?.Errors ?? []);
        Assert.Empty(result.Diagnostic?.Warnings ?? []);
    }

    [Fact]
    public async Task Every_mapped_endpoint_of_a_dialect_is_in_its_document_and_in_no_other()
    {
        using var host = new EaselHost();
        var unified = await OpenApiDocuments.FetchAsync(host, "unified");
        var classic = await OpenApiDocuments.FetchAsync(host, "classic");
        var inUnified = OpenApiDocuments.Operations(unified).Select(o => (o.Path, o.Method)).ToHashSet();
        var inClassic = OpenApiDocuments.Operations(classic).Select(o => (o.Path, o.Method)).ToHashSet();

        var mapped = host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
                .Select(m => (Path: "/" + e.RoutePattern.RawText!.Trim('/'), Method: m.ToLowerInvariant())))
            .Distinct()
            .ToList();
        Assert.NotEmpty(mapped);
        foreach (var (path, method) in mapped)
        {
            var endpoint = (path, method);
            // Each route is decided here, so a new endpoint fails this test until someone says where it belongs.
            if (path.StartsWith("/model/", StringComparison.Ordinal))
            {
                Assert.True(inClassic.Contains(endpoint), $"{method} {path} is missing from the classic document");
                Assert.False(inUnified.Contains(endpoint), $"{method} {path} is a classic endpoint in the unified document");
            }
            else if (path.StartsWith("/v1/", StringComparison.Ordinal))
            {
                Assert.True(inUnified.Contains(endpoint), $"{method} {path} is missing from the unified document");
                Assert.False(inClassic.Contains(endpoint), $"{method} {path} is a unified endpoint in the classic document");
            }
            else if (path.StartsWith("/files/", StringComparison.Ordinal))
            {
                // Results are downloaded alike whichever dialect made the task.
                Assert.True(inUnified.Contains(endpoint) && inClassic.Contains(endpoint), $"{method} {path} belongs to both documents");
            }
            // The upstream wake-up URL is called by upstream engines, never by a client of a dialect.
            else if (path.StartsWith("/admin/", StringComparison.Ordinal) || path.StartsWith("/upstream/", StringComparison.Ordinal)
                || path is "/healthz" or "/readyz" or "/metrics" or "/openapi/{documentName}.json")
            {
                Assert.False(inUnified.Contains(endpoint) || inClassic.Contains(endpoint), $"{method} {path} is not part of a dialect's document");
                continue;
            }
            else
            {
                Assert.Fail($"{method} {path}: no rule says which document it belongs to");
            }
        }
        // The documents hold nothing that is not mapped.
        Assert.All(inUnified.Concat(inClassic), e => Assert.Contains(e, mapped));
        Assert.Contains(("/v1/images/generations", "post"), inUnified);
        Assert.Contains(("/model/v1/generation", "post"), inClassic);
    }

    public static TheoryData<string, string[], string[], string[], string[]> UnifiedModels => new()
    {
        // model, required top-level, optional top-level, required model_params, optional model_params (API.md section 3, README's output_format)
        { "mj-v7-upload-paint", ["prompt", "image_urls", "model_params"], ["callback_url"], ["mask", "canvas", "img_pos"], ["speed", "output_format"] },
        { "mj-v7-edit", ["prompt", "model_params"], ["callback_url"], ["task_id", "canvas", "img_pos"], ["image_number", "mask", "speed", "output_format"] },
        { "mj-v7-inpaint", ["model_params"], ["prompt", "callback_url"], ["task_id", "mask"], ["image_number", "speed", "output_format"] },
        { "mj-v7-remix", ["prompt", "model_params"], ["callback_url"], ["task_id"], ["image_number", "mode", "speed", "output_format"] },
    };

    [Theory]
    [MemberData(nameof(UnifiedModels))]
    public async Task Every_unified_model_has_its_parameters(string model, string[] required, string[] optional, string[] requiredParams, string[] optionalParams)
    {
        using var host = new EaselHost();
        var document = await OpenApiDocuments.FetchAsync(host, "unified");
        var create = document["paths"]!["/v1/images/generations"]!["post"]!.AsObject();
        Assert.True(create["requestBody"]!["required"]!.GetValue<bool>());
        var variant = OpenApiDocuments.VariantOf(document, create, model);

        AssertFields(variant, ["model", .. required], optional);
        var parameters = OpenApiDocuments.Resolve(document, variant["properties"]!["model_params"]);
        AssertFields(parameters, requiredParams, optionalParams);

        var properties = parameters["properties"]!.AsObject();
        Assert.Equal(["fast", "turbo"], OpenApiDocuments.Strings(OpenApiDocuments.Resolve(document, properties["speed"])["enum"]));
        Assert.Equal(["png", "jpeg", "webp"], OpenApiDocuments.Strings(OpenApiDocuments.Resolve(document, properties["output_format"])["enum"]));
        if (properties["mode"] is { } mode)
        {
            Assert.Equal(["strong", "subtle"], OpenApiDocuments.Strings(OpenApiDocuments.Resolve(document, mode)["enum"]));
        }
        if (properties["image_number"] is { } number)
        {
            AssertRange(number.AsObject(), 0, OperationLimits.ImageNumberMax);
        }
        if (properties["canvas"] is { } canvas)
        {
            AssertRange(OpenApiDocuments.Resolve(document, canvas)["properties"]!["width"]!.AsObject(), OperationLimits.CanvasMinSide, OperationLimits.CanvasMaxSide);
        }
        AssertPromptLimits(variant["properties"]!["prompt"]!.AsObject());
    }

    public static TheoryData<string, string[], string[]> ClassicModels => new()
    {
        // model, required, optional (API.md section 4; speed and outputFormat are Easel's additions, as in the README)
        { "midjourney_uploadpaint", ["imgUrl", "canvas", "imgPos", "mask", "remixPrompt"], ["callback", "speed", "outputFormat"] },
        { "midjourney_edit", ["jobId", "imageNo", "canvas", "imgPos", "remixPrompt"], ["mask", "callback", "speed", "outputFormat"] },
        { "midjourney_inpaint", ["jobId", "imageNo", "mask"], ["remixPrompt", "callback", "speed", "outputFormat"] },
        { "midjourney_remix", ["jobId", "imageNo", "remixPrompt"], ["mode", "callback", "speed", "outputFormat"] },
    };

    [Theory]
    [MemberData(nameof(ClassicModels))]
    public async Task Every_classic_model_has_its_parameters_in_both_envelopes(string model, string[] required, string[] optional)
    {
        using var host = new EaselHost();
        var document = await OpenApiDocuments.FetchAsync(host, "classic");
        var create = document["paths"]!["/model/v1/generation"]!["post"]!.AsObject();
        var variant = OpenApiDocuments.VariantOf(document, create, model);
        AssertFields(variant, ["model", .. required], optional);
        AssertPromptLimits(variant["properties"]!["remixPrompt"]!.AsObject());
        AssertRange(variant["properties"]!["imageNo"]?.AsObject(), 0, OperationLimits.ImageNumberMax, optionalProperty: true);
        if (variant["properties"]!["mode"] is { } mode)
        {
            AssertRange(mode.AsObject(), 0, 1);
        }
        if (variant["properties"]!["imgUrl"] is { } url)
        {
            Assert.Equal(OperationLimits.ClassicImageUrlMaxLength, url["maxLength"]!.GetValue<int>());
        }

        // The wrapped envelope: {"model", "input": [{"params": <the same flat body>}]}.
        var wrapped = OpenApiDocuments.Variants(document, create["requestBody"]!["content"]!["application/json"]!["schema"])
            .Single(v => v["properties"]?["input"] is not null);
        Assert.Contains(model, OpenApiDocuments.Strings(wrapped["properties"]!["model"]!["enum"]));
        var item = OpenApiDocuments.Resolve(document, wrapped["properties"]!["input"]!["items"]);
        var inner = OpenApiDocuments.Variants(document, item["properties"]!["params"]).Single(v =>
            OpenApiDocuments.Strings(v["properties"]?["model"]?["enum"]).SequenceEqual([model]));
        AssertFields(inner, ["model", .. required], optional);
    }

    [Fact]
    public async Task Every_error_response_is_documented_in_the_dialect_s_shape_with_examples()
    {
        using var host = new EaselHost();
        foreach (var name in OpenApiDocuments.Names)
        {
            var document = await OpenApiDocuments.FetchAsync(host, name);
            foreach (var (path, method, operation) in OpenApiDocuments.Operations(document).Where(o => !o.Path.StartsWith("/files/", StringComparison.Ordinal)))
            {
                var responses = operation["responses"]!.AsObject();
                Assert.True(responses.ContainsKey("401"), $"{name}: {method} {path} takes a key and documents no 401");
                Assert.True(responses.ContainsKey("500"), $"{name}: {method} {path} documents no 500");
                foreach (var (status, response) in responses.Where(r => int.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture) >= 400))
                {
                    var where = $"{name}: {method} {path} {status}";
                    Assert.False(string.IsNullOrWhiteSpace(response!["description"]?.GetValue<string>()), $"{where} has no description");
                    var media = response["content"]!["application/json"]!.AsObject();
                    var schema = OpenApiDocuments.Resolve(document, media["schema"]);
                    var examples = media["examples"]?.AsObject();
                    Assert.True(examples is { Count: > 0 }, $"{where} has no example");
                    if (name == "unified")
                    {
                        var error = OpenApiDocuments.Resolve(document, schema["properties"]!["error"]);
                        Assert.Equal(["code", "message", "type", "param"], error["properties"]!.AsObject().Select(p => p.Key));
                        Assert.All(examples!, e =>
                        {
                            Assert.Equal(System.Text.Json.JsonValueKind.String, e.Value!["value"]!["error"]!["code"]!.GetValueKind());
                            Assert.False(string.IsNullOrEmpty(e.Value["value"]!["error"]!["type"]!.GetValue<string>()));
                        });
                    }
                    else
                    {
                        Assert.Equal(["status", "error"], schema["properties"]!.AsObject().Select(p => p.Key));
                        var error = OpenApiDocuments.Resolve(document, schema["properties"]!["error"]);
                        Assert.Equal("integer", OpenApiDocuments.Resolve(document, error["properties"]!["code"])["type"]!.GetValue<string>());
                        Assert.All(examples!, e =>
                        {
                            Assert.Equal("failed", e.Value!["value"]!["status"]!.GetValue<string>());
                            Assert.InRange(e.Value["value"]!["error"]!["code"]!.GetValue<int>(), 4_000_000, 4_999_999);
                        });
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData("unified", "/v1/images/generations", new[] { "400", "401", "402", "403", "404", "409", "413", "429", "500" })]
    [InlineData("classic", "/model/v1/generation", new[] { "400", "401", "402", "403", "404", "409", "413", "429", "500" })]
    public async Task Create_documents_every_refusal_and_has_an_example_per_model_and_state(string name, string path, string[] statuses)
    {
        var models = ModelCatalog.All.Select(m => name == "unified" ? m.UnifiedName : m.ClassicName).ToArray();
        using var host = new EaselHost();
        var document = await OpenApiDocuments.FetchAsync(host, name);
        var create = document["paths"]![path]!["post"]!.AsObject();
        Assert.Equal(statuses, create["responses"]!.AsObject().Select(r => r.Key).Where(s => s != "200").Order(StringComparer.Ordinal));

        var requestExamples = create["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();
        Assert.Equal(models, requestExamples.Select(e => e.Value!["value"]!["model"]!.GetValue<string>()).Distinct().Order(StringComparer.Ordinal)
            .OrderBy(m => Array.IndexOf(models, m)));

        // Response examples: one per state, each only with properties the schema has, and all its required ones.
        var ok = create["responses"]!["200"]!["content"]!["application/json"]!.AsObject();
        var schema = OpenApiDocuments.Resolve(document, ok["schema"]);
        var properties = schema["properties"]!.AsObject().Select(p => p.Key).ToHashSet();
        var examples = ok["examples"]!.AsObject();
        Assert.Equal(["pending", "processing", "completed", "failed", "cancelled"], examples.Select(e => e.Key));
        foreach (var (state, example) in examples)
        {
            var keys = example!["value"]!.AsObject().Select(p => p.Key).ToList();
            Assert.All(keys, k => Assert.Contains(k, properties));
            Assert.All(OpenApiDocuments.Strings(schema["required"]), r => Assert.Contains(r, keys));
            var status = example["value"]!["status"]!.GetValue<string>();
            Assert.Contains(status, OpenApiDocuments.Strings(schema["properties"]!["status"]!["enum"]));
        }
    }

    [Fact]
    public async Task Every_keyed_operation_names_the_bearer_scheme_and_file_downloads_need_none()
    {
        using var host = new EaselHost();
        foreach (var name in OpenApiDocuments.Names)
        {
            var document = await OpenApiDocuments.FetchAsync(host, name);
            var scheme = document["components"]!["securitySchemes"]!["bearerAuth"]!;
            Assert.Equal("http", scheme["type"]!.GetValue<string>());
            Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
            foreach (var (path, method, operation) in OpenApiDocuments.Operations(document))
            {
                var security = operation["security"] as JsonArray;
                if (path.StartsWith("/files/", StringComparison.Ordinal))
                {
                    Assert.Null(security);
                }
                else
                {
                    Assert.True(security is { Count: 1 } && security[0] is JsonObject requirement && requirement.ContainsKey("bearerAuth"), $"{name}: {method} {path} names no key");
                }
                Assert.False(string.IsNullOrWhiteSpace(operation["summary"]?.GetValue<string>()), $"{name}: {method} {path} has no summary");
                Assert.NotEmpty(OpenApiDocuments.Strings(operation["tags"]));
            }
        }
    }

    private static void AssertFields(JsonObject schema, string[] required, string[] optional)
    {
        var properties = schema["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(required.Concat(optional).Order(StringComparer.Ordinal), properties);
        Assert.Equal(required.Order(StringComparer.Ordinal), OpenApiDocuments.Strings(schema["required"]).Order(StringComparer.Ordinal));
    }

    private static void AssertPromptLimits(JsonObject prompt)
    {
        Assert.Equal(OperationLimits.PromptMinLength, prompt["minLength"]!.GetValue<int>());
        Assert.Equal(OperationLimits.PromptMaxLength, prompt["maxLength"]!.GetValue<int>());
    }

    private static void AssertRange(JsonObject? schema, int minimum, int maximum, bool optionalProperty = false)
    {
        if (schema is null && optionalProperty)
        {
            return;
        }
        Assert.Equal(minimum, schema!["minimum"]!.GetValue<int>());
        Assert.Equal(maximum, schema["maximum"]!.GetValue<int>());
    }
}
