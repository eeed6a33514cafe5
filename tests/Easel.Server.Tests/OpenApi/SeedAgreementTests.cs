using System.Globalization;
using System.Text.Json.Nodes;
using Easel.Server.Tests.Infrastructure;

namespace Easel.Server.Tests.OpenApi;

/// <summary>
/// The unified document agrees with the OpenAPI document of seed 003 for every field that seed defines: paths,
/// operations, parameters, request and response schemas (property names, types, formats, enums, defaults, bounds,
/// required lists), error examples' codes and types, and the security scheme. Descriptions and sample values are
/// prose and are not compared. Every place where Easel differs is listed below with its reason, and the list must be
/// exact: a difference that is not listed fails, and so does a listed one that no longer occurs.
/// </summary>
public sealed class SeedAgreementTests
{
    private static readonly Dictionary<string, string> Deliberate = new(StringComparer.Ordinal)
    {
        ["servers: the serving host's own URL"] =
            "Easel is self-hosted: the document names the server it was fetched from, not api.evolink.ai",
        ["security: per operation"] =
            "GET /files needs no key, so the bearer requirement is stated on each keyed operation rather than document-wide",
        ["POST /v1/images/generations: requestBody is one of several models, compared with the mj-v7-upload-paint variant"] =
            "one endpoint takes the four models of API.md section 2 (a discriminator on model); the seed documents one of them",
        ["POST /v1/images/generations: parameter header Idempotency-Key added"] =
            "API.md section 8: an Idempotency-Key header on create",
        ["POST /v1/images/generations: response 404 added"] =
            "API.md section 3: unknown source task (model_params.task_id) of a secondary operation",
        ["POST /v1/images/generations: response 409 added"] =
            "API.md section 3: source task not completed or image number beyond its images; Idempotency-Key reused with another body",
        ["POST /v1/images/generations: response 413 added"] =
            "API.md section 3: body over the limit, refused before parsing",
        ["request.model_params: property output_format added"] =
            "Easel can return JPEG results (README); png by default",
        ["request.model_params.mask.areas[]: requires width, height, points"] =
            "API.md section 6: an area is a frame (width, height) and at least three point pairs; the parser refuses an area without them",
        ["response 200: property results added"] =
            "API.md section 3: the four result URLs of a completed task (create and query share one object)",
        ["response 200: property engine added"] =
            "An Easel extension (API.md section 10): the engine that ran the task; absent until one has taken it",
        ["response 200: property error added"] =
            "API.md section 3: the task error of a failed task",
        ["response 200: requires created, id, model, object, progress, status, type, task_info, usage"] =
            "Easel always sends these; only results and error depend on the state",
        ["response 200.task_info: requires can_cancel, estimated_time"] = "Easel always sends both",
        ["response 200.usage: requires billing_rule, credits_reserved, user_group"] = "Easel always sends all three",
        ["error body: requires error"] = "every error body has it",
        ["error body.error: requires code, message, type"] = "every error has them",
        ["error body.error: property param added"] =
            "API.md section 3: a 400 names the field in param (the seed's note lists param among the error fields)",
    };

    [Fact]
    public async Task The_unified_document_agrees_with_the_seed_for_every_field_it_defines()
    {
        var seed = SeedDocument.Load();
        using var host = new EaselHost();
        var ours = await OpenApiDocuments.FetchAsync(host, "unified");
        var found = new Comparison(seed, ours).Run();

        var unexpected = found.Except(Deliberate.Keys).ToList();
        var stale = Deliberate.Keys.Except(found).ToList();
        Assert.True(unexpected.Count == 0, "differences from the seed that are not listed:\n" + string.Join("\n", unexpected));
        Assert.True(stale.Count == 0, "listed differences that no longer occur:\n" + string.Join("\n", stale));
        Assert.All(Deliberate.Values, reason => Assert.False(string.IsNullOrWhiteSpace(reason)));
    }

    [Fact]
    public void The_comparison_notices_a_changed_type_enum_required_list_and_missing_property()
    {
        // The comparison itself can fail: a document that differs from the seed in each kind of field is caught.
        var seed = SeedDocument.Load();
        var changed = seed.DeepClone().AsObject();
        var request = changed["components"]!["schemas"]!["ImageGenerationRequest"]!;
        request["properties"]!["prompt"]!["type"] = "integer";
        request["properties"]!["model_params"]!["properties"]!["speed"]!["enum"] = new JsonArray("fast");
        request["required"] = new JsonArray("model");
        request["properties"]!["model_params"]!["properties"]!.AsObject().Remove("canvas");

        var found = new Comparison(seed, changed).Run();
        Assert.Contains("request.prompt: type integer instead of string", found);
        Assert.Contains("request.model_params.speed: enum [fast] instead of [fast, turbo]", found);
        Assert.Contains("request: does not require prompt, image_urls, model_params", found);
        Assert.Contains("request.model_params.canvas: missing", found);
    }

    /// <summary>Walks the seed and finds the same field in our document; each difference is one line.</summary>
    private sealed class Comparison(JsonObject seed, JsonObject ours)
    {
        private static readonly HashSet<string> Prose = ["description", "example", "title", "summary"];
        private static readonly string[] Bounds = ["minimum", "maximum", "minItems", "maxItems", "minLength", "maxLength"];
        private readonly List<string> _found = [];

        public List<string> Run()
        {
            var seedServers = seed["servers"]?.AsArray().Select(s => s!["url"]!.GetValue<string>()).ToList() ?? [];
            var ourServers = ours["servers"]?.AsArray().Select(s => s!["url"]!.GetValue<string>()).ToList() ?? [];
            if (!seedServers.SequenceEqual(ourServers))
            {
                _found.Add("servers: the serving host's own URL");
            }
            foreach (var tag in seed["tags"]?.AsArray() ?? [])
            {
                var name = tag!["name"]!.GetValue<string>();
                if (ours["tags"]?.AsArray().Any(t => t!["name"]!.GetValue<string>() == name) != true)
                {
                    _found.Add($"tags: {name} missing");
                }
            }
            foreach (var (name, scheme) in seed["components"]?["securitySchemes"]?.AsObject() ?? [])
            {
                var our = ours["components"]?["securitySchemes"]?[name];
                if (our is null)
                {
                    _found.Add($"security scheme {name}: missing");
                    continue;
                }
                foreach (var key in new[] { "type", "scheme", "in", "name", "bearerFormat" }.Where(k => scheme![k] is not null))
                {
                    if (!Same(scheme![key], our[key]))
                    {
                        _found.Add($"security scheme {name}: {key} {our[key]?.ToJsonString()} instead of {scheme[key]!.ToJsonString()}");
                    }
                }
            }
            foreach (var (path, item) in seed["paths"]!.AsObject())
            {
                foreach (var (method, operation) in item!.AsObject())
                {
                    var our = ours["paths"]?[path]?[method];
                    var where = $"{method.ToUpperInvariant()} {path}";
                    if (our is null)
                    {
                        _found.Add($"{where}: missing");
                        continue;
                    }
                    Operation(where, operation!.AsObject(), our.AsObject());
                }
            }
            return _found;
        }

        private void Operation(string where, JsonObject seedOperation, JsonObject ourOperation)
        {
            if (seedOperation["operationId"] is { } id && !Same(id, ourOperation["operationId"]))
            {
                _found.Add($"{where}: operationId {ourOperation["operationId"]?.ToJsonString()} instead of {id.ToJsonString()}");
            }
            foreach (var tag in OpenApiDocuments.Strings(seedOperation["tags"]).Except(OpenApiDocuments.Strings(ourOperation["tags"])))
            {
                _found.Add($"{where}: tag {tag} missing");
            }

            var seedSecurity = Schemes(seedOperation["security"] ?? seed["security"]);
            var ourSecurity = Schemes(ourOperation["security"] ?? ours["security"]);
            if (!seedSecurity.SetEquals(ourSecurity))
            {
                _found.Add($"{where}: security [{string.Join(", ", ourSecurity)}] instead of [{string.Join(", ", seedSecurity)}]");
            }
            else if (seedOperation["security"] is null && seed["security"] is not null && ours["security"] is null)
            {
                _found.Add("security: per operation");
            }

            var seedParameters = (seedOperation["parameters"]?.AsArray() ?? []).Select(p => OpenApiDocuments.Resolve(seed, p)).ToList();
            var ourParameters = (ourOperation["parameters"]?.AsArray() ?? []).Select(p => OpenApiDocuments.Resolve(ours, p)).ToList();
            foreach (var parameter in seedParameters)
            {
                var match = ourParameters.FirstOrDefault(p => Same(p["name"], parameter["name"]) && Same(p["in"], parameter["in"]));
                if (match is null)
                {
                    _found.Add($"{where}: parameter {parameter["in"]} {parameter["name"]} missing");
                    continue;
                }
                if (parameter["required"] is { } required && !Same(required, match["required"]))
                {
                    _found.Add($"{where}: parameter {parameter["name"]} required {match["required"]?.ToJsonString()}");
                }
                Schema($"parameter {parameter["name"]}", parameter["schema"], match["schema"]);
            }
            foreach (var parameter in ourParameters.Where(p => !seedParameters.Any(s => Same(s["name"], p["name"]) && Same(s["in"], p["in"]))))
            {
                _found.Add($"{where}: parameter {parameter["in"]!.GetValue<string>()} {parameter["name"]!.GetValue<string>()} added");
            }

            if (seedOperation["requestBody"] is JsonObject seedBody)
            {
                var ourBody = ourOperation["requestBody"] as JsonObject;
                if (ourBody is null)
                {
                    _found.Add($"{where}: requestBody missing");
                }
                else
                {
                    if (seedBody["required"] is { } required && !Same(required, ourBody["required"]))
                    {
                        _found.Add($"{where}: requestBody required {ourBody["required"]?.ToJsonString()}");
                    }
                    foreach (var (type, media) in seedBody["content"]!.AsObject())
                    {
                        var ourMedia = ourBody["content"]?[type] as JsonObject;
                        if (ourMedia is null)
                        {
                            _found.Add($"{where}: requestBody {type} missing");
                            continue;
                        }
                        Schema("request", media!["schema"], ourMedia["schema"], where);
                        foreach (var (name, example) in media["examples"]?.AsObject() ?? [])
                        {
                            if (!Same(example!["value"], ourMedia["examples"]?[name]?["value"]))
                            {
                                _found.Add($"{where}: request example {name} differs or is missing");
                            }
                        }
                    }
                }
            }

            var ourResponses = ourOperation["responses"]!.AsObject();
            foreach (var (status, response) in seedOperation["responses"]!.AsObject())
            {
                var ourResponse = ourResponses[status];
                if (ourResponse is null)
                {
                    _found.Add($"{where}: response {status} missing");
                    continue;
                }
                foreach (var (type, media) in response!["content"]?.AsObject() ?? [])
                {
                    var ourMedia = ourResponse["content"]?[type] as JsonObject;
                    if (ourMedia is null)
                    {
                        _found.Add($"{where}: response {status} {type} missing");
                        continue;
                    }
                    // Every error status shares one schema: its differences are named once, as the error body's.
                    Schema(status.StartsWith('2') ? $"response {status}" : "error body", media!["schema"], ourMedia["schema"]);
                    if (media["example"]?["error"] is JsonObject error)
                    {
                        var matches = ourMedia["examples"]?.AsObject().Any(e =>
                            Same(e.Value!["value"]!["error"]?["code"], error["code"]) && Same(e.Value["value"]!["error"]?["type"], error["type"])) == true;
                        if (!matches)
                        {
                            _found.Add($"{where}: response {status} has no example with code {error["code"]} and type {error["type"]}");
                        }
                    }
                }
            }
            foreach (var status in ourResponses.Select(r => r.Key).Where(s => seedOperation["responses"]![s] is null))
            {
                _found.Add($"{where}: response {status} added");
            }
        }

        private void Schema(string path, JsonNode? seedNode, JsonNode? ourNode, string? operation = null)
        {
            if (ourNode is null)
            {
                _found.Add($"{path}: missing");
                return;
            }
            var s = OpenApiDocuments.Resolve(seed, seedNode);
            var o = OpenApiDocuments.Resolve(ours, ourNode);
            if (s["properties"]?["model"]?["enum"] is JsonArray { Count: 1 } names && names[0] is JsonValue model && (o["oneOf"] ?? o["anyOf"]) is not null)
            {
                var name = model.GetValue<string>();
                o = OpenApiDocuments.Variants(ours, o).FirstOrDefault(v => OpenApiDocuments.Strings(v["properties"]?["model"]?["enum"]).SequenceEqual([name]))
                    ?? new JsonObject();
                _found.Add($"{operation}: requestBody is one of several models, compared with the {name} variant");
            }

            // "null" in a type list only says a property may be absent-as-null; the seed's types are compared without it.
            var ourType = Types(o["type"]).Where(t => t != "null").ToList();
            foreach (var (key, value) in s)
            {
                switch (key)
                {
                    case "type":
                        if (!Types(value).SequenceEqual(ourType))
                        {
                            _found.Add($"{path}: type {string.Join("|", ourType)} instead of {string.Join("|", Types(value))}");
                        }
                        break;
                    case "enum":
                        var seedValues = value!.AsArray().Select(v => v!.ToJsonString()).ToList();
                        var ourValues = (o["enum"] as JsonArray)?.Select(v => v!.ToJsonString()).ToList() ?? [];
                        if (!seedValues.Order(StringComparer.Ordinal).SequenceEqual(ourValues.Order(StringComparer.Ordinal)))
                        {
                            _found.Add($"{path}: enum [{string.Join(", ", ourValues.Select(Bare))}] instead of [{string.Join(", ", seedValues.Select(Bare))}]");
                        }
                        break;
                    case "format":
                    case "default":
                        if (!Same(value, o[key]))
                        {
                            _found.Add($"{path}: {key} {o[key]?.ToJsonString() ?? "absent"} instead of {value!.ToJsonString()}");
                        }
                        break;
                    case "required":
                        break; // compared below, also when the seed has none
                    case "properties":
                        foreach (var (name, property) in value!.AsObject())
                        {
                            Schema($"{path}.{name}", property, o["properties"]?[name]);
                        }
                        foreach (var name in (o["properties"]?.AsObject() ?? []).Select(p => p.Key).Where(n => value[n] is null))
                        {
                            _found.Add($"{path}: property {name} added");
                        }
                        break;
                    case "items":
                        Schema($"{path}[]", value, o["items"]);
                        break;
                    case var bound when Bounds.Contains(bound):
                        if (!Same(value, o[key]))
                        {
                            _found.Add($"{path}: {key} {o[key]?.ToJsonString() ?? "absent"} instead of {value!.ToJsonString()}");
                        }
                        break;
                    case var prose when Prose.Contains(prose):
                        break;
                    default:
                        _found.Add($"{path}: the seed's keyword {key} is not compared");
                        break;
                }
            }
            if (s["type"]?.GetValue<string>() == "object" || s["properties"] is not null)
            {
                var seedRequired = OpenApiDocuments.Strings(s["required"]);
                var ourRequired = OpenApiDocuments.Strings(o["required"]);
                var missing = seedRequired.Except(ourRequired).ToList();
                var added = ourRequired.Except(seedRequired).ToList();
                if (missing.Count > 0)
                {
                    _found.Add($"{path}: does not require {string.Join(", ", missing)}");
                }
                if (added.Count > 0)
                {
                    _found.Add($"{path}: requires {string.Join(", ", added)}");
                }
            }
        }

        private static HashSet<string> Schemes(JsonNode? security) =>
            (security as JsonArray ?? []).SelectMany(r => r!.AsObject().Select(p => p.Key)).ToHashSet();

        private static List<string> Types(JsonNode? type) => type switch
        {
            JsonArray list => list.Select(t => t!.GetValue<string>()).ToList(),
            JsonValue one => [one.GetValue<string>()],
            _ => [],
        };

        private static string Bare(string json) => json.Trim('"');

        private static bool Same(JsonNode? a, JsonNode? b) =>
            JsonNode.DeepEquals(a is null ? null : JsonNode.Parse(a.ToJsonString()), b is null ? null : JsonNode.Parse(b.ToJsonString()))
            || (a is JsonValue x && b is JsonValue y && double.TryParse(x.ToJsonString(), CultureInfo.InvariantCulture, out var dx)
                && double.TryParse(y.ToJsonString(), CultureInfo.InvariantCulture, out var dy) && dx == dy);
    }
}
