using System.Globalization;
using System.Text.Json.Nodes;
using Easel.Core.Models;
using Easel.Core.Operations;
using Easel.Engines.Local;
using Easel.Server.Tests.Infrastructure;

namespace Easel.Server.Tests.Catalog;

/// <summary>
/// Validation cases generated from the catalog, for every model and every field, in both dialects (and both classic
/// envelopes): each required field missing, and each field given values its rule refuses. The classic answer is the
/// row of the model's table for that field and problem (the tables themselves are pinned by ModelCatalogTests), the
/// unified one names the field's place in `param`. A model added to the catalog is covered without a line here.
/// </summary>
public sealed class CatalogValidationTests(ValidationHost shared) : IClassFixture<ValidationHost>
{
    private const string UnifiedCreate = "/v1/images/generations";
    private const string ClassicCreate = "/model/v1/generation";

    /// <summary>One generated case: the model, the field, what is done to it, and the problem the rule must report.</summary>
    public sealed record FieldCase(string Model, RequestField Field, string Why, JsonNode? Value, bool Remove, FieldProblem Problem)
    {
        public override string ToString() => $"{Model} {Field}: {Why}";
    }

    public static IEnumerable<FieldCase> CasesOf(ModelEntry model, bool classic)
    {
        foreach (var field in model.Fields)
        {
            var name = model.UnifiedName;
            // The unified image number defaults to 0 (API.md section 3); the classic one is required.
            if (field.Field == RequestField.ImageNumber ? classic : field.Required)
            {
                yield return new FieldCase(name, field.Field, "absent", null, Remove: true, FieldProblem.Missing);
                yield return new FieldCase(name, field.Field, "null", null, Remove: false, FieldProblem.Missing);
            }
            foreach (var (why, value, problem) in Invalid(field, classic, model))
            {
                yield return new FieldCase(name, field.Field, why, value, Remove: false, problem);
            }
        }
    }

    private static IEnumerable<(string Why, JsonNode Value, FieldProblem Problem)> Invalid(ModelField field, bool classic, ModelEntry model)
    {
        switch (field.Field)
        {
            case RequestField.Prompt:
                yield return ("empty", "", FieldProblem.InvalidLength);
                yield return ("8193 characters", TestBodies.Repeat("a", 8193), FieldProblem.InvalidLength);
                yield return ("a number", 5, FieldProblem.InvalidLength);
                break;
            case RequestField.ImageUrl:
                yield return ("ftp", classic ? "ftp://images.example.com/a.png" : new JsonArray("ftp://images.example.com/a.png"), FieldProblem.InvalidFormat);
                yield return ("a number", classic ? 5 : new JsonArray(5), FieldProblem.InvalidFormat);
                var tooLong = TestBodies.UrlOfLength("https://images.example.com/", classic ? 1025 : 2049);
                yield return ("one character too long", classic ? tooLong : new JsonArray(tooLong), FieldProblem.InvalidLength);
                break;
            case RequestField.TaskId:
                yield return ("a number", 5, FieldProblem.Invalid);
                yield return ("empty", "", FieldProblem.Invalid);
                yield return ("129 characters", new string('t', 129), FieldProblem.Invalid);
                break;
            case RequestField.ImageNumber:
                yield return ("4", 4, FieldProblem.Invalid);
                yield return ("-1", -1, FieldProblem.Invalid);
                yield return ("\"1\"", "1", FieldProblem.Invalid);
                yield return ("1.5", 1.5, FieldProblem.Invalid);
                break;
            case RequestField.Scale:
                yield return ("just below the range", field.Range!.Min - 0.01m, FieldProblem.Invalid);
                yield return ("just above the range", field.Range.Max + 0.01m, FieldProblem.Invalid);
                yield return ("a string", "1.5", FieldProblem.Invalid);
                yield return ("true", true, FieldProblem.Invalid);
                yield return ("an object", new JsonObject(), FieldProblem.Invalid);
                break;
            case RequestField.Callback:
                yield return ("ftp", "ftp://hooks.example.com/cb", FieldProblem.InvalidFormat);
                yield return ("to 127.0.0.1", "https://127.0.0.1/cb", FieldProblem.Invalid);
                break;
            case RequestField.Canvas:
                yield return ("width 0", new JsonObject { ["width"] = 0, ["height"] = 128 }, FieldProblem.Invalid);
                break;
            case RequestField.Position:
                yield return ("off the canvas", new JsonObject { ["width"] = 64, ["height"] = 64, ["x"] = 128, ["y"] = 0 }, FieldProblem.Invalid);
                break;
            case RequestField.Mask:
                yield return ("neither areas nor url", new JsonObject(), FieldProblem.Invalid);
                break;
            default:
                var set = field.Choices ?? throw new InvalidOperationException($"{model.UnifiedName}: {field.Field} has no choices and no generated cases");
                if (classic && set.HasNumbers)
                {
                    var numbers = set.Choices.Where(c => c.Classic is not null).Select(c => c.Classic!.Value).ToList();
                    yield return ("one above the last number", numbers.Max() + 1, FieldProblem.Invalid);
                    yield return ("-1", -1, FieldProblem.Invalid);
                    yield return ("a number as a string", numbers[0].ToString(CultureInfo.InvariantCulture), FieldProblem.Invalid);
                    yield return ("the unified spelling", set.Choices.First(c => c.Unified is not null).Unified!, FieldProblem.Invalid);
                }
                else
                {
                    yield return ("a value it does not offer", "sideways", FieldProblem.Invalid);
                    yield return ("a number", 1, FieldProblem.Invalid);
                    yield return ("upper case", set.In(classic)[0].Unified!.ToUpperInvariant(), FieldProblem.Invalid);
                    // Draft is imagine's alone.
                    if (field.Field == RequestField.Speed && !model.Speeds.Contains(Speed.Draft))
                    {
                        yield return ("draft (imagine's alone)", "draft", FieldProblem.Invalid);
                    }
                }
                break;
        }
    }

    public static TheoryData<FieldCase> UnifiedCases() => new(ModelCatalog.All.SelectMany(m => CasesOf(m, classic: false)));

    public static TheoryData<FieldCase> ClassicCases() => new(ModelCatalog.All.SelectMany(m => CasesOf(m, classic: true)));

    [Fact]
    public void Every_field_of_every_model_has_generated_cases_in_both_dialects()
    {
        foreach (var model in ModelCatalog.All)
        {
            foreach (var classic in new[] { false, true })
            {
                var covered = CasesOf(model, classic).Select(c => c.Field).ToHashSet();
                Assert.All(model.Fields, f => Assert.Contains(f.Field, covered));
                Assert.All(model.Fields.Where(f => f.Required && f.Field != RequestField.ImageNumber),
                    f => Assert.Contains(CasesOf(model, classic), c => c.Field == f.Field && c.Problem == FieldProblem.Missing));
            }
        }
    }

    [Theory]
    [MemberData(nameof(UnifiedCases))]
    public async Task A_unified_body_with_one_bad_field_answers_400_naming_that_field(FieldCase c)
    {
        ModelCatalog.TryUnified(c.Model, out var model);
        var field = model.FieldOf(c.Field)!;
        var (status, answer) = await shared.Client.PostJsonAsync(UnifiedCreate, Apply(Valid(model, classic: false), field, c, classic: false));
        Assert.True(status == 400, $"{c}: HTTP {status} {answer.ToJsonString()}");
        Assert.Equal("invalid_request", answer["error"]!["code"]!.GetValue<string>());
        Assert.Equal("invalid_request_error", answer["error"]!["type"]!.GetValue<string>());
        var param = answer["error"]!["param"]!.GetValue<string>();
        Assert.True(param == field.UnifiedPath || param.StartsWith(field.UnifiedPath + ".", StringComparison.Ordinal), $"{c}: param {param}");
    }

    [Theory]
    [MemberData(nameof(ClassicCases))]
    public async Task A_classic_body_with_one_bad_field_answers_400_with_the_models_code_for_it_in_both_envelopes(FieldCase c)
    {
        ModelCatalog.TryUnified(c.Model, out var model);
        var field = model.FieldOf(c.Field)!;
        var expected = model.ClassicCodes.NumberFor(new FieldError(c.Field, c.Problem, "")) is int n ? model.ClassicCodes.Code(n) : 4_000_400;
        var flat = Apply(Valid(model, classic: true), field, c, classic: true);
        foreach (var body in new[] { flat, Wrap(flat) })
        {
            var (status, answer) = await shared.Client.PostJsonAsync(ClassicCreate, body);
            Assert.True(status == 400, $"{c}: HTTP {status} {answer.ToJsonString()}");
            Assert.Equal("failed", answer["status"]!.GetValue<string>());
            Assert.True(expected == answer["error"]!["code"]!.GetValue<int>(), $"{c}: expected {expected}: {answer.ToJsonString()}");
        }
    }

    public static TheoryData<string> Models() => new(ModelCatalog.All.Select(m => m.UnifiedName));

    /// <summary>The generated valid body passes every rule: a secondary one stops at its unknown source, a model no engine here serves at availability.</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public async Task The_generated_valid_body_passes_every_field_rule_in_both_dialects(string name)
    {
        ModelCatalog.TryUnified(name, out var model);
        if (!model.IsSecondary && LocalEngine.Descriptor.Capabilities.Contains(model.Capability))
        {
            return; // upload-paint would create a task; its valid bodies are the existing dialect tests' own.
        }
        var served = LocalEngine.Descriptor.Capabilities.Contains(model.Capability);
        var (status, answer) = await shared.Client.PostJsonAsync(UnifiedCreate, Valid(model, classic: false).ToJsonString());
        var (classicStatus, classicAnswer) = await shared.Client.PostJsonAsync(ClassicCreate, Valid(model, classic: true).ToJsonString());
        if (served)
        {
            Assert.True(status == 404, $"{name}: HTTP {status} {answer.ToJsonString()}");
            Assert.Equal("model_params.task_id", answer["error"]!["param"]!.GetValue<string>());
            Assert.True(classicStatus == 404, $"{name}: HTTP {classicStatus} {classicAnswer.ToJsonString()}");
            Assert.Equal(model.ClassicCodes.Code(1), classicAnswer["error"]!["code"]!.GetValue<int>());
        }
        else
        {
            Assert.True(status == 400, $"{name}: HTTP {status} {answer.ToJsonString()}");
            Assert.Equal("model_not_available", answer["error"]!["code"]!.GetValue<string>());
            Assert.Equal("model", answer["error"]!["param"]!.GetValue<string>());
            Assert.True(classicStatus == 400, $"{name}: HTTP {classicStatus} {classicAnswer.ToJsonString()}");
            Assert.Equal(4_000_400, classicAnswer["error"]!["code"]!.GetValue<int>());
            Assert.Contains(model.ClassicName, classicAnswer["error"]!["error_message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    private static JsonObject Valid(ModelEntry model, bool classic) => CatalogBodies.Valid(model, classic);

    private static string Apply(JsonObject body, ModelField field, FieldCase c, bool classic)
    {
        if (c.Remove)
        {
            TestBodies.Remove(body, CatalogBodies.PathOf(field, classic));
        }
        else
        {
            CatalogBodies.Set(body, null!, field, classic, c.Value?.DeepClone());
        }
        return body.ToJsonString();
    }

    private static string Wrap(string flat)
    {
        var parameters = JsonNode.Parse(flat)!.AsObject();
        var model = parameters["model"]!.DeepClone();
        parameters.Remove("model");
        return new JsonObject { ["model"] = model, ["input"] = new JsonArray(new JsonObject { ["params"] = parameters }) }.ToJsonString();
    }
}
