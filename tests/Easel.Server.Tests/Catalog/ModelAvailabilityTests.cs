using Easel.Server.Tests.Infrastructure;
using Easel.Server.Tests.OpenApi;

namespace Easel.Server.Tests.Catalog;

/// <summary>
/// What the local engine cannot honestly do (imagine, retexture, enhance, remove-bg, creative upscale) is refused at
/// create with model_not_available before anything is reserved, and GET /v1/models says which models are served.
/// </summary>
public sealed class ModelAvailabilityTests
{
    public static TheoryData<string, string> Unserved => new()
    {
        { "imagine", """{"model": "mj-v7", "prompt": "a cat on a windowsill", "model_params": {"speed": "draft"}}""" },
        { "retexture", """{"model": "mj-v7-retexture", "prompt": "in brass", "image_urls": ["https://images.example.com/a.png"]}""" },
        { "remove-bg", """{"model": "mj-v7-remove-bg", "image_urls": ["https://images.example.com/a.png"]}""" },
        { "enhance", """{"model": "mj-v7-enhance", "model_params": {"task_id": "task-unified-1700000000-nosuchtask"}}""" },
        { "creative upscale", """{"model": "mj-v7-upscale", "model_params": {"task_id": "task-unified-1700000000-nosuchtask", "type": "creative"}}""" },
        { "classic diffusion", """{"model": "midjourney_diffusion", "text": "a cat on a windowsill"}""" },
        { "classic creative upscale", """{"model": "midjourney_upscale", "input": [{"params": {"jobId": "task-classic-1700000000-nosuchtask", "imageNo": 0, "type": 1}}]}""" },
    };

    [Theory]
    [MemberData(nameof(Unserved))]
    public async Task A_model_the_local_engine_cannot_serve_is_refused_with_nothing_reserved(string why, string body)
    {
        using var host = new EaselHost();
        var (accountId, client, _) = await host.CreateAccountAsync(new { name = "unserved", credits = 100 });
        var before = await host.BalanceMatchingLedgerAsync(accountId);
        var ledgerRows = (await host.LedgerAsync(accountId))["data"]!.AsArray().Count;

        var classic = body.Contains("midjourney_", StringComparison.Ordinal);
        var (status, answer) = await client.PostJsonAsync(classic ? "/model/v1/generation" : "/v1/images/generations", body);
        Assert.True(status == 400, $"{why}: HTTP {status} {answer.ToJsonString()}");
        if (classic)
        {
            Assert.Equal("failed", answer["status"]!.GetValue<string>());
            Assert.Equal(4_000_400, answer["error"]!["code"]!.GetValue<int>());
            Assert.Contains("midjourney_", answer["error"]!["error_message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("model_not_available", answer["error"]!["code"]!.GetValue<string>());
            Assert.Equal("model", answer["error"]!["param"]!.GetValue<string>());
            Assert.Contains("not available", answer["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        Assert.Equal(before, await host.BalanceMatchingLedgerAsync(accountId));
        Assert.Equal(ledgerRows, (await host.LedgerAsync(accountId))["data"]!.AsArray().Count);
        var (_, tasks) = await client.GetJsonAsync("/v1/tasks");
        Assert.Empty(tasks["data"]!.AsArray());
    }

    [Theory]
    [InlineData("/v1/models")]
    [InlineData("/model/v1/models")]
    public async Task The_model_list_names_every_model_in_both_dialects_with_prices_and_what_serves_it(string path)
    {
        using var host = new EaselHost(new() { ["Easel:Pricing:Groups:vip"] = "0.5" });
        var (_, client, _) = await host.CreateAccountAsync(new { name = "lister", credits = 10, group = "vip" });
        var (status, list) = await client.GetJsonAsync(path);
        Assert.True(status == 200, list.ToJsonString());
        Assert.Equal("list", list["object"]!.GetValue<string>());
        var models = list["data"]!.AsArray().Select(m => m!.AsObject()).ToDictionary(m => m["id"]!.GetValue<string>());
        Assert.Equal(12, models.Count);
        Assert.All(models.Values, m =>
        {
            Assert.Equal("model", m["object"]!.GetValue<string>());
            Assert.StartsWith("midjourney_", m["classic_name"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(m["id"]!.GetValue<string>(), m["unified_name"]!.GetValue<string>());
        });

        var imagine = models["mj-v7"];
        Assert.Equal("midjourney_diffusion", imagine["classic_name"]!.GetValue<string>());
        Assert.Equal("direct", imagine["category"]!.GetValue<string>());
        Assert.False(imagine["available"]!.GetValue<bool>());
        Assert.Empty(imagine["engines"]!.AsArray());
        // The caller's group pays half: imagine is 5.4 fast, twice turbo, half draft (API.md section 9).
        Assert.Equal(2.7m, imagine["prices"]!["fast"]!.GetValue<decimal>());
        Assert.Equal(5.4m, imagine["prices"]!["turbo"]!.GetValue<decimal>());
        Assert.Equal(1.35m, imagine["prices"]!["draft"]!.GetValue<decimal>());

        var upscale = models["mj-v7-upscale"];
        Assert.Equal(1, upscale["image_count"]!.GetValue<int>());
        Assert.True(upscale["available"]!.GetValue<bool>());
        Assert.Equal(["local"], upscale["engines"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.False(upscale["follows_prompts"]!.GetValue<bool>());
        var creative = Assert.Single(upscale["variants"]!.AsArray())!;
        Assert.Equal("creative", creative["name"]!.GetValue<string>());
        Assert.False(creative["available"]!.GetValue<bool>());
        Assert.Equal(5.4m, creative["prices"]!["fast"]!.GetValue<decimal>());

        var served = models.Values.Where(m => m["available"]!.GetValue<bool>()).Select(m => m["id"]!.GetValue<string>()).Order();
        Assert.Equal(["mj-v7-edit", "mj-v7-inpaint", "mj-v7-outpaint", "mj-v7-pan", "mj-v7-remix", "mj-v7-upload-paint", "mj-v7-upscale", "mj-v7-variation"], served);
        Assert.Equal(1, models["mj-v7-remove-bg"]["image_count"]!.GetValue<int>());
        Assert.Equal(["fast"], models["mj-v7-remove-bg"]["prices"]!.AsObject().Select(p => p.Key));
    }

    [Theory]
    [InlineData("unified", "/v1/models")]
    [InlineData("classic", "/model/v1/models")]
    public async Task The_model_list_is_in_both_documents(string document, string path)
    {
        using var host = new EaselHost();
        var doc = await OpenApiDocuments.FetchAsync(host, document);
        var operation = doc["paths"]![path]!["get"]!.AsObject();
        var schema = OpenApiDocuments.Resolve(doc, operation["responses"]!["200"]!["content"]!["application/json"]!["schema"]);
        Assert.Contains("data", schema["properties"]!.AsObject().Select(p => p.Key));
        Assert.True(operation["responses"]!.AsObject().ContainsKey("401"));
    }

    [Theory]
    [InlineData("unified")]
    [InlineData("classic")]
    public async Task Every_catalog_model_has_its_request_shape_with_each_of_its_fields_in_the_dialect_s_document(string document)
    {
        using var host = new EaselHost();
        var doc = await OpenApiDocuments.FetchAsync(host, document);
        var classic = document == "classic";
        var create = doc["paths"]![classic ? "/model/v1/generation" : "/v1/images/generations"]!["post"]!.AsObject();
        foreach (var model in Easel.Core.Models.ModelCatalog.All)
        {
            var variant = OpenApiDocuments.VariantOf(doc, create, classic ? model.ClassicName : model.UnifiedName);
            var properties = variant["properties"]!.AsObject();
            foreach (var field in model.Fields)
            {
                var name = classic ? field.ClassicName : Easel.Core.Models.FieldNames.Unified(field.Field);
                var holder = classic || Easel.Core.Models.FieldNames.UnifiedTopLevel(field.Field)
                    ? properties
                    : OpenApiDocuments.Resolve(doc, properties["model_params"])["properties"]!.AsObject();
                Assert.True(holder.ContainsKey(name), $"{document}: {model.UnifiedName} documents no {name}");
                if (field.Field == Easel.Core.Operations.RequestField.Scale)
                {
                    var scale = OpenApiDocuments.Resolve(doc, holder[name]);
                    Assert.Equal(field.Range!.Min, scale["minimum"]!.GetValue<decimal>());
                    Assert.Equal(field.Range.Max, scale["maximum"]!.GetValue<decimal>());
                }
            }
        }
    }

    [Fact]
    public async Task A_request_without_a_key_cannot_list_models()
    {
        using var host = new EaselHost();
        using var client = host.CreateClient();
        var (status, answer) = await client.GetJsonAsync("/v1/models");
        Assert.Equal(401, status);
        Assert.Equal("unauthorized", answer["error"]!["code"]!.GetValue<string>());
    }
}
